//! The report: the tables printed at the end.

use crate::data::Shape;
use crate::load::{cores, percentile_ms};
use crate::{Config, Figures, CONNECTIONS, TARGET_P99_MS, TIMING_ITERATIONS, WARM_UP};

pub fn print_summary(config: &Config, results: &mut [Figures]) {
    let shape = Shape::new(config.users, config.messages).expect("checked before");
    println!();
    println!("## Scale benchmark");
    println!();
    println!("Data: {}.", shape.describe());
    println!(
        "Load: {CONNECTIONS} keep-alive connections over loopback, {} signed-in accounts \
         (every fourth a clinician), {:.1} s measured per endpoint (two segments, ABCD DCBA, \
         {:.0} s warm-up each).",
        config.signed_in,
        config.seconds,
        WARM_UP.as_secs_f64()
    );
    for f in results.iter() {
        let counts: Vec<String> = f.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
        println!(
            "{}: generated in {:.1} s; rows: {}; machine load average {} before the load, {} after.",
            f.database,
            f.generation_s,
            counts.join(", "),
            f.load_average.0,
            f.load_average.1
        );
    }
    println!();
    println!("Store functions alone (no load), µs per call, mean / worst of {TIMING_ITERATIONS}:");
    println!();
    print!("| function |");
    for f in results.iter() {
        print!(" {} mean | {} worst |", f.database, f.database);
    }
    println!();
    print!("|---|");
    for _ in results.iter() {
        print!("---:|---:|");
    }
    println!();
    if let Some(first) = results.first() {
        for (i, (name, _, _)) in first.timings.iter().enumerate() {
            print!("| {name} |");
            for f in results.iter() {
                let (_, mean, worst) = &f.timings[i];
                print!(" {mean:.0} | {worst:.0} |");
            }
            println!();
        }
    }
    println!();
    println!(
        "| database | endpoint | req/s | p50 ms | p99 ms | p99 patients | p99 clinicians | \
         server CPU ms/req | of which PostgreSQL | client CPU ms/req | p99 < {TARGET_P99_MS:.0} ms |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut verdicts = Vec::new();
    for f in results.iter_mut() {
        for (endpoint, load) in &mut f.loads {
            let mut all = load.all();
            let p99 = percentile_ms(&mut all, 0.99);
            let met = p99 < TARGET_P99_MS;
            let (server_cpu, postgres_cpu, client_cpu) = load.cpu_ms_per_request();
            println!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
                f.database,
                endpoint.label(),
                load.per_second(),
                percentile_ms(&mut all, 0.50),
                p99,
                percentile_ms(&mut load.patients_us, 0.99),
                percentile_ms(&mut load.clinicians_us, 0.99),
                server_cpu,
                postgres_cpu,
                client_cpu,
                if met { "met" } else { "MISSED" }
            );
            verdicts.push(met);
        }
    }
    println!();
    println!(
        "With {CONNECTIONS} connections each sending back to back, the mean latency is \
         {CONNECTIONS} / (req/s) (Little's law): p99 < {TARGET_P99_MS:.0} ms needs well over \
         {:.0} req/s, i.e. under {:.2} ms of CPU per request (server and client) on {} cores.",
        CONNECTIONS as f64 * 1000.0 / TARGET_P99_MS,
        TARGET_P99_MS * cores() as f64 / CONNECTIONS as f64,
        cores()
    );
    println!();
    println!(
        "{} of {} endpoint/database pairs meet p99 < {TARGET_P99_MS:.0} ms.",
        verdicts.iter().filter(|m| **m).count(),
        verdicts.len()
    );
}
