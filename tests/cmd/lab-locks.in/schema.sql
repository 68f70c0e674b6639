CREATE TABLE orders (
  id INT PRIMARY KEY,
  customer_id INT,
  note VARCHAR(20),
  KEY idx_customer (customer_id)
) ENGINE=InnoDB;
