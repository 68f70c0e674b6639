//! Renders analysed deadlocks. Every format is a `Sink`: text (comfy-table), json (one
//! document), jsonl (one object per deadlock).
