//! Schema loading from real dump shapes.

use super::*;

const DUMP: &str = "\
-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
USE `shop`;
DROP TABLE IF EXISTS `orders`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `orders` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `customer_id` bigint(20) NOT NULL,
  `status` enum('new','paid','it''s shipped') NOT NULL DEFAULT 'new',
  `note` varchar(200) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
  `total` decimal(10,2) NOT NULL,
  `created` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uk_customer_created` (`customer_id`,`created`),
  KEY `idx_note` (`note`(10)),
  CONSTRAINT `fk_customer` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
CREATE TABLE `broken` (`id` int NOT NULL, PRIMARY KEY (`id`) ENGINE=InnoDB;
CREATE TABLE t2 (a char(4) NOT NULL, b int, UNIQUE KEY ua (a)) DEFAULT CHARSET=latin1;
";

#[test]
fn mysqldump_file() {
    let (schema, warnings) = Schema::parse_sql(DUMP);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].line, 21);
    assert!(warnings[0]
        .message
        .starts_with("cannot read this `CREATE TABLE`"));
    let orders = &schema.tables["shop.orders"];
    assert_eq!(orders.primary_key, ["id"]);
    let id = orders.column("id").unwrap();
    assert_eq!(
        (id.ty.clone(), id.unsigned, id.nullable),
        (ColumnType::Int { bytes: 4 }, true, false)
    );
    let status = orders.column("status").unwrap();
    assert_eq!(status.values, ["new", "paid", "it's shipped"]);
    let note = orders.column("note").unwrap();
    assert_eq!(note.charset.as_deref(), Some("latin1"));
    assert!(note.nullable);
    assert_eq!(
        orders.column("customer_id").unwrap().charset.as_deref(),
        Some("utf8mb4")
    );
    assert_eq!(
        orders.column("total").unwrap().ty,
        ColumnType::Decimal {
            precision: 10,
            scale: 2
        }
    );
    assert_eq!(
        orders.column("created").unwrap().ty,
        ColumnType::DateTime { fsp: 3 }
    );
    let uk = orders.index("uk_customer_created").unwrap();
    assert!(uk.unique);
    assert_eq!(uk.columns.len(), 2);
    let idx = orders.index("idx_note").unwrap();
    assert_eq!(idx.columns[0].column, "note");
    assert_eq!(idx.columns[0].prefix, Some(10));
    // t2 has no primary key: its first UNIQUE NOT NULL index clusters it.
    let t2 = &schema.tables["shop.t2"];
    assert_eq!(t2.implicit_clustered().map(|i| i.name.as_str()), Some("ua"));
    assert_eq!(t2.column("a").unwrap().charset.as_deref(), Some("latin1"));
}

#[test]
fn lookup_by_bare_name() {
    let (schema, _) = Schema::parse_sql(DUMP);
    let name = |schema: Option<&str>, table: &str| TableName {
        schema: schema.map(Into::into),
        table: table.into(),
        partition: None,
    };
    assert!(schema.table(&name(Some("shop"), "orders")).is_some());
    assert!(schema.table(&name(None, "orders")).is_some());
    assert!(schema.table(&name(Some("other"), "orders")).is_none());
    let (bare, _) = Schema::parse_sql("CREATE TABLE session (id binary(16) PRIMARY KEY)");
    assert!(bare.table(&name(Some("test"), "session")).is_some());
}
