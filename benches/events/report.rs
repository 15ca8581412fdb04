//! The figures, as Markdown tables.

use crate::{Config, Figures, TARGET_MEMORY_MB, TARGET_RATIO};

fn percentile_ms(values: &[u32], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

fn verdict(met: bool) -> &'static str {
    if met {
        "MET"
    } else {
        "MISSED"
    }
}

pub fn print(config: &Config, results: &[Figures]) {
    println!();
    println!(
        "## Delivery: {} streams on B, {} messages sent on A ({} a second in all)",
        config.streams, config.messages, config.rate
    );
    println!();
    println!(
        "| database | send p50 ms | send p99 ms | delivery p50 ms | delivery p99 ms | \
         **delivery p99 / send p99** (target ≤ {TARGET_RATIO}) | missing | streams ended | \
         B RSS MB before / with streams | load average |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for figures in results {
        let d = &figures.delivery;
        let send_p99 = percentile_ms(&d.send_us, 0.99);
        let delivery_p99 = percentile_ms(&d.delivery_us, 0.99);
        let ratio = delivery_p99 / send_p99;
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | **{ratio:.2}** {} | {} | {} | {:.0} / {:.0} | {} → {} |",
            figures.database,
            percentile_ms(&d.send_us, 0.50),
            send_p99,
            percentile_ms(&d.delivery_us, 0.50),
            delivery_p99,
            verdict(ratio <= TARGET_RATIO && d.missing == 0),
            d.missing,
            d.ended,
            d.b_rss_mb.0,
            d.b_rss_mb.1,
            figures.load_average.0,
            figures.load_average.1,
        );
    }
    for figures in results {
        eprintln!(
            "({}: {} streams opened on B in {:.1} s)",
            figures.database, figures.delivery.streams, figures.delivery.open_s
        );
    }
    println!();
    println!(
        "## Memory: {} streams open on one instance",
        config.memory_streams
    );
    println!();
    println!(
        "| database | streams (per person) | opened in s | RSS before MB | **RSS with MB** (target < {TARGET_MEMORY_MB:.0}) | \
         peak MB | KB per stream | RSS after closing MB | streams ended |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for figures in results {
        let m = &figures.memory;
        println!(
            "| {} | {} ({}) | {:.1} | {:.0} | **{:.0}** {} | {:.0} | {:.1} | {:.0} | {} |",
            figures.database,
            m.streams,
            m.per_person,
            m.open_s,
            m.before,
            m.with,
            verdict(m.with < TARGET_MEMORY_MB && m.ended == 0),
            m.peak,
            (m.with - m.before) * 1024.0 / m.streams as f64,
            m.after,
            m.ended,
        );
    }
}
