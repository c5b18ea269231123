//! Demo orders for a fresh database, so the list is never empty on first run.

use uuid::{Timestamp, Uuid};

use super::Db;
use crate::domain::{server_line_total, Money, Promotion, Quantity};

/// (customer, item, note, quantity, unit price in cents, status, starred)
const DEMO: [(&str, &str, &str, i64, i64, &str, bool); 25] = [
    ("Harbor Street Café", "Espresso beans, 1 kg", "Deliver before 7am", 12, 2_450, "draft", true),
    ("Mina Okafor", "Standing desk, oak", "", 1, 54_900, "placed", false),
    ("Northwind Dental", "Nitrile gloves, box of 100", "Size M only", 40, 1_199, "draft", false),
    ("Lukas Brandt", "Noise-cancelling headphones", "", 2, 27_900, "draft", true),
    ("Greenleaf Florists", "Ceramic planters, large", "Mixed colours", 8, 3_400, "placed", false),
    ("Priya Raman", "Ergonomic chair", "Gift wrap please", 1, 38_500, "draft", false),
    ("Blue Fern Bakery", "Unbleached flour, 25 kg", "", 6, 3_175, "draft", false),
    ("Tomás Herrera", "Mechanical keyboard", "", 1, 12_900, "cancelled", false),
    ("Aster & Co. Architects", "A1 plotter paper roll", "Matte finish", 15, 4_250, "draft", true),
    ("Yuki Tanaka", "4K monitor, 27 inch", "", 2, 41_900, "draft", false),
    ("Riverside Library", "Hardcover book sleeves", "For the new arrivals shelf", 200, 85, "placed", false),
    ("Chen Wei", "USB-C docking station", "", 3, 18_900, "draft", false),
    ("Oakridge School", "Whiteboard markers, 12-pack", "Assorted colours", 30, 1_450, "draft", false),
    ("Fatima Zahra", "Linen tablecloth", "", 4, 5_600, "failed", false),
    ("Summit Cycling Club", "Water bottles, 750 ml", "Logo print on both sides", 60, 899, "draft", true),
    ("Olivia Bennett", "Cast-iron skillet", "", 1, 6_500, "draft", false),
    ("Marlow Coworking", "Oat milk, 1 L cartons", "Weekly standing order", 48, 289, "placed", false),
    ("Arjun Mehta", "Laptop stand, aluminium", "", 1, 4_900, "draft", false),
    ("Kestrel Labs", "Lab notebooks, grid", "", 25, 1_275, "draft", false),
    ("Sofia Rossi", "Espresso machine", "Check voltage: 230 V", 1, 89_900, "draft", true),
    ("Pinecrest Vet Clinic", "Disinfectant wipes, 80 ct", "", 24, 649, "draft", false),
    ("Daniel Kim", "Wireless mouse", "", 2, 3_999, "draft", false),
    ("Lantern Theatre", "Stage gaffer tape, black", "Urgent for Friday's show", 18, 1_899, "draft", false),
    ("Grace Mensah", "Bookshelf, walnut", "", 1, 24_900, "failed", false),
    ("Copperline Brewing", "Glass growlers, 2 L", "", 36, 1_150, "draft", false),
];

/// Inserts `count` demo orders in one transaction if the table is empty. Returns whether it
/// did. The first 25 are [`DEMO`], newest first; the rest repeat them with a numbered customer
/// ("Harbor Street Café 2"), older still.
pub(super) async fn seed_if_empty(db: &Db, now_ms: i64, count: u32, promotion: Promotion) -> Result<bool, sqlx::Error> {
    // Takes the write lock before looking: instances starting together on an empty database
    // seed it once (the others find it seeded), instead of failing on each other's lock.
    let mut tx = db.write_tx().await?;
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders").fetch_one(&mut *tx).await?;
    if existing > 0 {
        return Ok(false);
    }
    let count = i64::from(count);
    for i in 0..count {
        let (customer, item, note, quantity, price, status, starred) = DEMO[(i % DEMO.len() as i64) as usize];
        let round = i / DEMO.len() as i64;
        let customer = if round == 0 { customer.to_string() } else { format!("{customer} {}", round + 1) };
        // Spread creation over the past weeks (the variations a minute apart before that),
        // newest first in the list.
        let created = if round == 0 { now_ms - (i + 1) * 7 * 3_600_000 - i * 1_234_567 } else { now_ms - 26 * 7 * 3_600_000 - i * 60_000 };
        let updated = created + (i % 4) * 3_600_000;
        let ts = Timestamp::from_unix(uuid::NoContext, (created / 1000) as u64, ((created % 1000) * 1_000_000) as u32);
        let id = Uuid::new_v7(ts);
        let total = server_line_total(Quantity::parse(quantity).expect("demo quantities are in range"), Money::from_cents(price), &promotion);
        sqlx::query(
            "INSERT INTO orders (id, number, customer, item, note, quantity, unit_price_cents, total_cents, \
             status, starred, position, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)",
        )
        .bind(id.to_string())
        .bind(1001 + (count - 1 - i))
        .bind(customer)
        .bind(item)
        .bind(note)
        .bind(quantity)
        .bind(price)
        .bind(total.cents())
        .bind(status)
        .bind(i64::from(starred))
        .bind((i + 1) * 1024)
        .bind(created)
        .bind(updated)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerName, ItemName, Note, OrderStatus};

    #[test]
    fn demo_data_satisfies_the_domain_rules() {
        for (customer, item, note, quantity, price, status, _) in DEMO {
            CustomerName::parse(customer).unwrap();
            CustomerName::parse(&format!("{customer} 40000")).unwrap();
            ItemName::parse(item).unwrap();
            Note::parse(note).unwrap();
            Quantity::parse(quantity).unwrap();
            Money::parse_cents(price).unwrap();
            assert!(OrderStatus::parse(status).is_some(), "{status}");
        }
    }
}
