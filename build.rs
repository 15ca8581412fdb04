// `sqlx::migrate!` embeds the migrations at compile time; without this, adding a
// migration file would not rebuild the binary that embeds them (sqlx's documented advice).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
