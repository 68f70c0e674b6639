//! Where text comes from (files, stdin) and how client decoration and log prefixes are removed,
//! line by line, before the splitter sees it.
