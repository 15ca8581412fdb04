//! Memory: one instance's resident memory before and with many streams open.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};

use crate::server::Server;
use crate::sign_in::Account;
use crate::stream::EventStream;
use crate::Config;

const OPENING_AT_ONCE: usize = 64;
/// Streams opened and closed before the baseline, so that it includes warm pools.
const WARM_UP_STREAMS: usize = 50;
const SETTLE: Duration = Duration::from_secs(2);

pub struct Memory {
    pub streams: usize,
    pub per_person: usize,
    pub open_s: f64,
    /// MB: before, with the streams open, peak, and after they closed.
    pub before: f64,
    pub with: f64,
    pub peak: f64,
    pub after: f64,
    pub ended: usize,
}

pub async fn measure(config: &Config, c: &Server, patients: &[Account]) -> anyhow::Result<Memory> {
    let tokens: Vec<String> = patients.iter().map(|p| p.token.clone()).collect();
    let warm_up = open(c, &tokens, WARM_UP_STREAMS).await?;
    drop(warm_up);
    tokio::time::sleep(SETTLE).await;
    let before = c.memory_mb()?.0;

    let streams = config.memory_streams;
    eprintln!("== opening {streams} streams on C");
    let started = Instant::now();
    let open_streams = open(c, &tokens, streams).await?;
    let open_s = started.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let (with, peak) = c.memory_mb()?;
    let ended = open_streams.ended.load(Ordering::Relaxed);
    drop(open_streams);
    tokio::time::sleep(SETTLE).await;
    let after = c.memory_mb()?.0;
    Ok(Memory {
        streams,
        per_person: streams.div_ceil(tokens.len()),
        open_s,
        before,
        with,
        peak,
        after,
        ended,
    })
}

/// Open streams, each drained by a task (heartbeats); closed when dropped.
struct Open {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    ended: Arc<AtomicUsize>,
}

impl Drop for Open {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// `count` streams, the people taken in turn, all open (`ready` read) on return.
async fn open(c: &Server, tokens: &[String], count: usize) -> anyhow::Result<Open> {
    let permits = Arc::new(tokio::sync::Semaphore::new(OPENING_AT_ONCE));
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::unbounded_channel();
    let ended = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(count);
    for n in 0..count {
        let token = tokens[n % tokens.len()].clone();
        let (permits, opened_tx, ended, addr) =
            (permits.clone(), opened_tx.clone(), ended.clone(), c.addr);
        tasks.push(tokio::spawn(async move {
            let permit = permits.acquire().await;
            let stream = EventStream::open(addr, &token).await;
            drop(permit);
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(error) => {
                    let _ = opened_tx.send(Err(error));
                    return;
                }
            };
            let _ = opened_tx.send(Ok(()));
            // The count waits for every task to drop its sender.
            drop(opened_tx);
            while let Ok(Some(_)) = stream.next().await {}
            ended.fetch_add(1, Ordering::Relaxed);
        }));
    }
    drop(opened_tx);
    let streams = Open { tasks, ended };
    let mut opened = 0;
    while let Some(result) = opened_rx.recv().await {
        result.context("opening an event stream")?;
        opened += 1;
    }
    ensure!(opened == count, "only {opened} of {count} streams opened");
    Ok(streams)
}
