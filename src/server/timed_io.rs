//! A connection's socket that keeps the connection's deadlines and gives hyper's own
//! error answers the JSON shape.
//!
//! Hand-written because hyper 1.x has one timer where two are wanted: its
//! `header_read_timeout` also starts when a kept-alive connection goes idle, so a short
//! allowance for sending headers would also be the keep-alive timeout. Here a connection
//! has `HEADER_READ_TIMEOUT_SECONDS` to send its first request's headers, then, between
//! requests, `KEEP_ALIVE_TIMEOUT_SECONDS` until the next request's first byte and again
//! `HEADER_READ_TIMEOUT_SECONDS` from there to the end of its headers. While a request is
//! being served there is no deadline here (`REQUEST_TIMEOUT_SECONDS` bounds it). When a
//! deadline passes, reading fails and hyper closes the connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use super::answers::HttpLayerAnswers;

/// Requests a connection's service has started and finished; shared between the
/// service, which counts, and the socket, which reads the count.
#[derive(Debug, Default)]
pub struct RequestCount {
    started: AtomicU64,
    finished: AtomicU64,
    /// The connection's task, woken when a request finishes: hyper, going idle, does not
    /// read again by itself, and reading is where the keep-alive deadline is set.
    reader: AtomicWaker,
}

impl RequestCount {
    /// Counts a request as started until the guard is dropped, which the service does
    /// when hyper drops the response body: the whole answer has been handed over.
    pub fn start(self: &Arc<Self>) -> RequestGuard {
        self.started.fetch_add(1, Ordering::SeqCst);
        RequestGuard(self.clone())
    }

    /// How many requests have started, if none is being served; otherwise None.
    fn all_finished(&self) -> Option<u64> {
        let finished = self.finished.load(Ordering::SeqCst);
        let started = self.started.load(Ordering::SeqCst);
        (started == finished).then_some(started)
    }
}

pub struct RequestGuard(Arc<RequestCount>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::SeqCst);
        self.0.reader.wake();
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header_read: Duration,
    pub keep_alive: Duration,
}

/// What the connection is waiting for, and until when.
#[derive(Debug, Clone, Copy)]
enum Waiting {
    /// A new connection's first request, headers and all.
    FirstRequest(Instant),
    /// Nothing: a request is being served.
    Answer,
    /// The first byte of the next request on a kept-alive connection.
    NextRequest(Instant),
    /// The rest of a request's headers.
    Headers(Instant),
}

impl Waiting {
    fn deadline(self) -> Option<Instant> {
        match self {
            Waiting::FirstRequest(at) | Waiting::NextRequest(at) | Waiting::Headers(at) => Some(at),
            Waiting::Answer => None,
        }
    }
}

pub struct TimedIo {
    stream: TcpStream,
    requests: Arc<RequestCount>,
    timeouts: Timeouts,
    waiting: Waiting,
    /// Requests started as of the last look at the count.
    requests_seen: u64,
    timer: Pin<Box<Sleep>>,
    timer_set_for: Instant,
    answers: Arc<HttpLayerAnswers>,
    /// Requests whose answers have all been written and flushed. When every request the
    /// service started is among them, a response being written is hyper's own.
    flushed_requests: u64,
    /// The JSON answer written in place of hyper's, and how much of it is out.
    replacement: Option<(Bytes, usize)>,
}

impl TimedIo {
    pub fn new(
        stream: TcpStream,
        requests: Arc<RequestCount>,
        timeouts: Timeouts,
        answers: Arc<HttpLayerAnswers>,
    ) -> TimedIo {
        let deadline = Instant::now() + timeouts.header_read;
        TimedIo {
            stream,
            requests,
            timeouts,
            waiting: Waiting::FirstRequest(deadline),
            requests_seen: 0,
            timer: Box::pin(tokio::time::sleep_until(deadline)),
            timer_set_for: deadline,
            answers,
            flushed_requests: 0,
            replacement: None,
        }
    }

    /// Follows the service: serving while a request is in flight, then waiting for the
    /// next one (also when a whole request was served between two looks).
    fn observe_requests(&mut self) {
        match self.requests.all_finished() {
            None => self.waiting = Waiting::Answer,
            Some(started) => {
                if started != self.requests_seen || matches!(self.waiting, Waiting::Answer) {
                    self.waiting = Waiting::NextRequest(Instant::now() + self.timeouts.keep_alive);
                }
                self.requests_seen = started;
            }
        }
    }

    /// Called when the socket is not ready: fails once the current deadline has passed,
    /// and otherwise makes sure the task is woken when it does.
    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let Some(deadline) = self.waiting.deadline() else {
            return Ok(());
        };
        if self.timer_set_for != deadline {
            self.timer.as_mut().reset(deadline);
            self.timer_set_for = deadline;
        }
        if self.timer.as_mut().poll(cx).is_pending() {
            return Ok(());
        }
        let waited_for = match self.waiting {
            Waiting::NextRequest(_) => "its next request (KEEP_ALIVE_TIMEOUT_SECONDS)",
            _ => "a request's headers (HEADER_READ_TIMEOUT_SECONDS)",
        };
        tracing::debug!("closing a connection that waited too long for {waited_for}");
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("waited too long for {waited_for}"),
        ))
    }

    /// Takes hyper's own answer to a request it could not parse (a status line written
    /// while every request the service started is answered) and keeps the JSON answer
    /// to write in its place; hyper closes the connection after it.
    fn replace_hyper_answer(&mut self, written: &[u8]) -> bool {
        if self.replacement.is_some() {
            return true;
        }
        if self.requests.all_finished() != Some(self.flushed_requests) {
            return false;
        }
        match self.answers.in_place_of(written) {
            Some(answer) => {
                self.replacement = Some((answer, 0));
                true
            }
            None => false,
        }
    }

    fn poll_write_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((answer, sent)) = &mut self.replacement {
            if *sent == answer.len() {
                break;
            }
            match Pin::new(&mut self.stream).poll_write(cx, &answer[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *sent += n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => {
                    self.poll_deadline(cx)?;
                    return Poll::Pending;
                }
            }
        }
        Poll::Ready(Ok(()))
    }

    fn pending<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.poll_deadline(cx) {
            Ok(()) => Poll::Pending,
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.requests.reader.register(cx.waker());
        this.observe_requests();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Pending => this.pending(cx),
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    if let Waiting::NextRequest(_) = this.waiting {
                        this.waiting = Waiting::Headers(Instant::now() + this.timeouts.header_read);
                    }
                }
                Poll::Ready(Ok(()))
            }
            ready => ready,
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.observe_requests();
        if this.replace_hyper_answer(buf) {
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.pending(cx),
            ready => ready,
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.observe_requests();
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        if this.replace_hyper_answer(first) {
            return Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()));
        }
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.pending(cx),
            ready => ready,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_replacement(cx))?;
        match Pin::new(&mut this.stream).poll_flush(cx) {
            Poll::Pending => this.pending(cx),
            Poll::Ready(Ok(())) => {
                if let Some(started) = this.requests.all_finished() {
                    this.flushed_requests = started;
                }
                Poll::Ready(Ok(()))
            }
            ready => ready,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_replacement(cx))?;
        Pin::new(&mut this.stream).poll_shutdown(cx)
    }
}
