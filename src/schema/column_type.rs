//! A column's type as InnoDB stores it: what decides the on-page bytes (family, length,
//! precision, fractional seconds), read from the type as sqlparser prints it back
//! (`INT(11) UNSIGNED`, `DECIMAL(10,2)`, `DATETIME(3)`), which stays stable across sqlparser's
//! many `DataType` variants.

use serde::Serialize;

/// The storage family of a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ColumnType {
    /// TINYINT (1 byte), SMALLINT (2), MEDIUMINT (3), INT (4), BIGINT (8).
    Int {
        bytes: u8,
    },
    Decimal {
        precision: u32,
        scale: u32,
    },
    Float,
    Double,
    Bit {
        bits: u32,
    },
    Year,
    Date,
    Time {
        fsp: u32,
    },
    DateTime {
        fsp: u32,
    },
    Timestamp {
        fsp: u32,
    },
    /// CHAR / VARCHAR / TEXT (and their TINY/MEDIUM/LONG forms), in the column's charset.
    Text {
        fixed: bool,
        length: Option<u32>,
    },
    /// BINARY / VARBINARY / BLOB.
    Binary {
        fixed: bool,
        length: Option<u32>,
    },
    Enum,
    Set,
    Json,
    /// Anything else (spatial, vendor types): shown as hex.
    Other {
        name: String,
    },
}

impl ColumnType {
    /// Reads a printed type: `BIGINT(20) UNSIGNED` → (`Int { bytes: 8 }`, unsigned).
    pub fn parse(printed: &str) -> (ColumnType, bool) {
        let upper = printed.trim().to_ascii_uppercase();
        let unsigned = upper.split_whitespace().any(|w| w == "UNSIGNED");
        let (name, args) = match upper.split_once('(') {
            Some((name, rest)) => (name.trim(), rest.split(')').next().unwrap_or("")),
            None => (upper.split_whitespace().next().unwrap_or(""), ""),
        };
        let nums: Vec<u32> = args
            .split(',')
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        let first = nums.first().copied();
        let fsp = first.unwrap_or(0).min(6);
        let ty = match name {
            "TINYINT" | "INT1" | "BOOL" | "BOOLEAN" => ColumnType::Int { bytes: 1 },
            "SMALLINT" | "INT2" => ColumnType::Int { bytes: 2 },
            "MEDIUMINT" | "INT3" => ColumnType::Int { bytes: 3 },
            "INT" | "INTEGER" | "INT4" => ColumnType::Int { bytes: 4 },
            "BIGINT" | "INT8" => ColumnType::Int { bytes: 8 },
            "SERIAL" => return (ColumnType::Int { bytes: 8 }, true),
            "DECIMAL" | "DEC" | "NUMERIC" | "FIXED" => ColumnType::Decimal {
                precision: first.unwrap_or(10),
                scale: nums.get(1).copied().unwrap_or(0),
            },
            "FLOAT" if first.is_some_and(|p| p > 24) && nums.len() == 1 => ColumnType::Double,
            "FLOAT" | "FLOAT4" => ColumnType::Float,
            "DOUBLE" | "REAL" | "FLOAT8" => ColumnType::Double,
            "BIT" => ColumnType::Bit {
                bits: first.unwrap_or(1),
            },
            "YEAR" => ColumnType::Year,
            "DATE" => ColumnType::Date,
            "TIME" => ColumnType::Time { fsp },
            "DATETIME" => ColumnType::DateTime { fsp },
            "TIMESTAMP" => ColumnType::Timestamp { fsp },
            "CHAR" | "CHARACTER" | "NCHAR" | "NATIONAL CHAR" => ColumnType::Text {
                fixed: true,
                length: Some(first.unwrap_or(1)),
            },
            "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" | "NATIONAL VARCHAR" | "VARCHAR2" => {
                ColumnType::Text {
                    fixed: false,
                    length: first,
                }
            }
            "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "LONG" | "LONG VARCHAR" => {
                ColumnType::Text {
                    fixed: false,
                    length: None,
                }
            }
            "BINARY" => ColumnType::Binary {
                fixed: true,
                length: Some(first.unwrap_or(1)),
            },
            "VARBINARY" => ColumnType::Binary {
                fixed: false,
                length: first,
            },
            "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BYTEA" => ColumnType::Binary {
                fixed: false,
                length: None,
            },
            "ENUM" => ColumnType::Enum,
            "SET" => ColumnType::Set,
            "JSON" => ColumnType::Json,
            other => ColumnType::Other {
                name: other.to_ascii_lowercase(),
            },
        };
        (ty, unsigned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_types() {
        let cases = [
            ("INT(11)", ColumnType::Int { bytes: 4 }, false),
            ("BIGINT(20) UNSIGNED", ColumnType::Int { bytes: 8 }, true),
            ("TINYINT UNSIGNED", ColumnType::Int { bytes: 1 }, true),
            (
                "DECIMAL(10,2)",
                ColumnType::Decimal {
                    precision: 10,
                    scale: 2,
                },
                false,
            ),
            ("DATETIME(3)", ColumnType::DateTime { fsp: 3 }, false),
            ("TIMESTAMP", ColumnType::Timestamp { fsp: 0 }, false),
            (
                "VARCHAR(64)",
                ColumnType::Text {
                    fixed: false,
                    length: Some(64),
                },
                false,
            ),
            (
                "BINARY(16)",
                ColumnType::Binary {
                    fixed: true,
                    length: Some(16),
                },
                false,
            ),
            ("ENUM('a', 'b')", ColumnType::Enum, false),
            ("FLOAT(53)", ColumnType::Double, false),
            (
                "POINT",
                ColumnType::Other {
                    name: "point".to_string(),
                },
                false,
            ),
        ];
        for (printed, ty, unsigned) in cases {
            assert_eq!(
                ColumnType::parse(printed),
                (ty, unsigned),
                "parsing {printed:?}"
            );
        }
    }
}
