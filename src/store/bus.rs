//! The `bus` table: what each server instance told its own pages, for the other instances
//! sharing the database (`crate::push::relay` writes and follows it). Rows are appended in
//! order and kept a few minutes. They go over connections of their own: losing the last ones
//! to a power cut costs nothing (pages catch up when they reconnect), so they are not worth a
//! disk flush each (on SQLite), nor a turn on the writer.

use super::{db_err, Db, StoreError};

/// How many rows one statement appends at most (three arguments each).
const ROWS_PER_INSERT: usize = 256;

/// A row another instance appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusRow {
    pub id: i64,
    /// The message, or `None` for this instance's own rows (it told its pages already).
    pub message: Option<String>,
}

impl Db {
    /// The newest row's id (0 when there is none): a new follower starts after it.
    pub async fn bus_last_id(&self) -> Result<i64, StoreError> {
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM bus").fetch_one(self.reader()).await.map_err(db_err)?;
        Ok(last.unwrap_or(0))
    }

    /// The oldest row's id still kept (`None` when there is none).
    pub async fn bus_first_id(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT MIN(id) FROM bus").fetch_one(self.reader()).await.map_err(db_err)
    }

    /// Appends `messages` from `instance`, in order, in one transaction.
    pub async fn bus_append(&self, instance: &str, now: i64, messages: &[String]) -> Result<(), StoreError> {
        let mut tx = self.quick.begin_with(self.dialect.begin_bus()).await.map_err(db_err)?;
        for chunk in messages.chunks(ROWS_PER_INSERT) {
            let values = (0..chunk.len()).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect::<Vec<_>>().join(", ");
            let sql = format!("INSERT INTO bus (instance, at, message) VALUES {values}");
            let mut query = sqlx::query(&sql);
            for message in chunk {
                query = query.bind(instance).bind(now).bind(message.as_str());
            }
            query.execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    /// Up to `limit` rows after `after`, in order; the messages of `instance`'s own rows are left out.
    pub async fn bus_after(&self, after: i64, instance: &str, limit: u32) -> Result<Vec<BusRow>, StoreError> {
        let rows: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT id, CASE WHEN instance = $1 THEN NULL ELSE message END FROM bus WHERE id > $2 ORDER BY id LIMIT $3",
        )
        .bind(instance)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(|(id, message)| BusRow { id, message }).collect())
    }

    /// Notes that `instance` is alive at `now`, and names the other instances seen alive since
    /// `alive_since`, in order.
    pub async fn instance_seen(&self, instance: &str, now: i64, alive_since: i64) -> Result<Vec<String>, StoreError> {
        sqlx::query("INSERT INTO instances (name, seen_at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at")
            .bind(instance)
            .bind(now)
            .execute(&self.quick)
            .await
            .map_err(db_err)?;
        sqlx::query_scalar("SELECT name FROM instances WHERE name <> $1 AND seen_at >= $2 ORDER BY name")
            .bind(instance)
            .bind(alive_since)
            .fetch_all(&self.quick)
            .await
            .map_err(db_err)
    }

    /// Forgets the instances not seen since `before`; how many.
    pub async fn instances_prune(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM instances WHERE seen_at < $1").bind(before).execute(&self.quick).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    /// Drops the rows appended before `before`; how many.
    pub async fn bus_prune(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM bus WHERE at < $1").bind(before).execute(&self.quick).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rows_come_back_in_order_after_a_point_without_the_reader_s_own_messages_and_are_pruned_by_age() {
        let (_dir, db) = Db::scratch().await;
        assert_eq!(db.bus_last_id().await.unwrap(), 0);
        let many: Vec<String> = (0..600).map(|n| format!("a{n}")).collect();
        db.bus_append("a", 1_000, &many).await.unwrap();
        db.bus_append("b", 2_000, &["b0".into()]).await.unwrap();
        let start = db.bus_last_id().await.unwrap() - 601;
        let rows = db.bus_after(start, "b", 1_000).await.unwrap();
        assert_eq!(rows.len(), 601);
        assert!(rows.windows(2).all(|w| w[0].id < w[1].id), "in order");
        assert_eq!(rows[0].message.as_deref(), Some("a0"));
        assert_eq!(rows[599].message.as_deref(), Some("a599"));
        assert_eq!(rows[600].message, None, "b's own row");
        assert_eq!(db.bus_after(rows[10].id, "b", 5).await.unwrap()[0].id, rows[11].id);
        assert_eq!(db.bus_prune(2_000).await.unwrap(), 600);
        assert_eq!(db.bus_first_id().await.unwrap(), Some(rows[600].id));
    }

    #[tokio::test]
    async fn an_instance_learns_whether_another_is_alive() {
        let (_dir, db) = Db::scratch().await;
        assert!(db.instance_seen("a", 1_000, 0).await.unwrap().is_empty(), "alone");
        assert!(db.instance_seen("a", 2_000, 0).await.unwrap().is_empty(), "itself is not company");
        assert_eq!(db.instance_seen("b", 2_500, 0).await.unwrap(), ["a"], "b sees a");
        assert_eq!(db.instance_seen("a", 3_000, 2_000).await.unwrap(), ["b"], "a sees b");
        assert!(db.instance_seen("a", 40_000, 10_000).await.unwrap().is_empty(), "b stopped renewing");
        assert_eq!(db.instances_prune(10_000).await.unwrap(), 1);
    }
}
