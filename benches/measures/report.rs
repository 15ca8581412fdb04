//! The report: the table printed at the end.

use crate::{Config, Figures, CONNECTIONS, TARGET_RATIO, WARM_UP};

pub fn print_summary(config: &Config, results: &mut [Figures]) {
    println!();
    println!("## Questionnaires and alerts at scale");
    println!();
    println!(
        "Load: {CONNECTIONS} keep-alive connections over loopback; {:.1} s measured per endpoint \
         and size, in segments small, big, big, small ({:.0} s warm-up each); the measures page \
         with days={}.",
        config.seconds,
        WARM_UP.as_secs_f64(),
        config.days
    );
    for f in results.iter() {
        for (name, side) in [("small", &f.small), ("big", &f.big)] {
            let counts: Vec<String> = side
                .counts
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            println!(
                "{} {name}: {}; generated in {:.1} s; rows before the load: {}.",
                f.database,
                side.shape.describe(),
                side.generation_s,
                counts.join(", ")
            );
        }
        println!(
            "{}: machine load average {} before the load, {} after.",
            f.database, f.load_average.0, f.load_average.1
        );
    }
    println!();
    println!(
        "| database | endpoint | big req/s | small req/s | ratio (target ≥ {TARGET_RATIO}) | \
         p99 big ms | p99 small ms | server CPU ms/req big / small | of which PostgreSQL |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut verdicts = Vec::new();
    for f in results.iter_mut() {
        for ((endpoint, big), (_, small)) in f.big.loads.iter_mut().zip(f.small.loads.iter_mut()) {
            if big.requests == 0 {
                continue;
            }
            let ratio = big.per_second() / small.per_second();
            let met = ratio >= TARGET_RATIO;
            let (big_cpu, big_pg) = big.cpu_ms();
            let (small_cpu, small_pg) = small.cpu_ms();
            let postgres = if f.database == "postgres" {
                format!("{big_pg:.2} / {small_pg:.2}")
            } else {
                String::new()
            };
            println!(
                "| {} | `{}` | {:.0} | {:.0} | {:.2} {} | {:.1} | {:.1} | {big_cpu:.2} / {small_cpu:.2} | {postgres} |",
                f.database,
                endpoint.label(),
                big.per_second(),
                small.per_second(),
                ratio,
                if met { "met" } else { "MISSED" },
                big.p99_ms(),
                small.p99_ms(),
            );
            verdicts.push(met);
        }
    }
    println!();
    println!(
        "{} of {} endpoint/database pairs reach {TARGET_RATIO} × their small-data throughput.",
        verdicts.iter().filter(|m| **m).count(),
        verdicts.len()
    );
}
