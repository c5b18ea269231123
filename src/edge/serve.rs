//! The accept loop: HTTP/1 and HTTP/2 on a TCP listener with the limits `axum::serve` doesn't
//! set: a header-read timeout (a client that trickles its headers is disconnected), an idle
//! timeout for kept-alive connections, a cap on open connections (past it, new ones wait in
//! the kernel's backlog), the client's address for handlers (`ConnectInfo`), and a deadline
//! on graceful shutdown.
//!
//! The two timeouts are kept apart on purpose: hyper's own header-read timeout also runs while
//! a kept-alive connection waits for its next request, so it closes idle connections after a
//! few seconds, and a client that reuses one at that moment (Node's keep-alive agents do,
//! Playwright's request context among them) gets a reset instead of an answer. Each
//! connection here has a [`Watch`] instead: the header clock starts with the first byte of a
//! request (or when the connection opens) and stops when the request reaches the app; a
//! connection with no request open and no bytes coming is idle and closed only after the
//! (much longer) idle timeout; a connection answering a request, an event stream included,
//! is never cut off here.

use axum::extract::connect_info::ConnectInfo;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// The connection limits (from `[server]` in the settings).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub shutdown_grace: Duration,
}

/// Serves `app` on `listener` until `stop` completes, then lets open requests finish for at
/// most `limits.shutdown_grace` before it returns.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits, stop: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    // No hyper header-read timeout: each connection's `Watch` keeps it (see the module docs).
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(error = %e, "can't accept a connection; trying again shortly");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let watch = Arc::new(Watch::new());
        let service = {
            let watch = watch.clone();
            app.clone().map_request(move |req: Request<Incoming>| {
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo(remote));
                req
            })
            .map_future(move |answer| {
                // Open from the moment the app has the request until its answer's body is done.
                let open = Watch::open(&watch);
                async move { answer.await.map(|res: axum::response::Response| res.map(|body| axum::body::Body::new(Held { body, _open: open }))) }
            })
        };
        let io = TokioIo::new(Watched { stream, watch: watch.clone() });
        let conn = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service)).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            loop {
                let deadline = watch.deadline(&limits);
                tokio::select! {
                    ended = conn.as_mut() => {
                        if let Err(e) = ended {
                            tracing::trace!(error = %e, %remote, "connection ended with an error");
                        }
                        break;
                    }
                    () = watch.changed.notified() => {}
                    () = tokio::time::sleep_until(deadline.unwrap_or_else(|| Instant::now() + limits.idle_timeout)) => {
                        if watch.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                            tracing::debug!(%remote, phase = watch.phase_name(), "connection timed out; closing it");
                            break;
                        }
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(grace_ms = limits.shutdown_grace.as_millis() as u64, "requests still open at the shutdown deadline were cut off");
        }
    }
}


/// What one connection is doing, as far as its timeouts care.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Waiting for a request's headers since this instant (the connection opened, or the first
    /// byte of a request arrived): the header-read timeout runs.
    Head(Instant),
    /// This many requests are with the app or still sending their answers: no timeout here.
    Open(usize),
    /// Nothing open and nothing arriving since this instant: the idle timeout runs.
    Idle(Instant),
}

/// A connection's [`Phase`], moved by its reads ([`Watched`]) and its requests ([`Open`]).
struct Watch {
    phase: Mutex<Phase>,
    /// Told when the header clock starts, so the connection's task re-reads its deadline.
    changed: Notify,
}

impl Watch {
    fn new() -> Watch {
        Watch { phase: Mutex::new(Phase::Head(Instant::now())), changed: Notify::new() }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Phase) -> R) -> R {
        f(&mut self.phase.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Bytes arrived: on an idle connection they start a request, and its header clock.
    fn bytes_arrived(&self) {
        let started = self.with(|phase| match *phase {
            Phase::Idle(_) => {
                *phase = Phase::Head(Instant::now());
                true
            }
            Phase::Head(_) | Phase::Open(_) => false,
        });
        if started {
            self.changed.notify_one();
        }
    }

    /// A request reached the app; it stays open until the returned guard is dropped.
    fn open(watch: &Arc<Watch>) -> Open {
        watch.with(|phase| {
            *phase = match *phase {
                Phase::Open(n) => Phase::Open(n + 1),
                Phase::Head(_) | Phase::Idle(_) => Phase::Open(1),
            }
        });
        Open(watch.clone())
    }

    /// When this connection is to be closed as it stands, if ever.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        self.with(|phase| match *phase {
            Phase::Head(since) => Some(since + limits.header_read_timeout),
            Phase::Idle(since) => Some(since + limits.idle_timeout),
            Phase::Open(_) => None,
        })
    }

    fn phase_name(&self) -> &'static str {
        self.with(|phase| match phase {
            Phase::Head(_) => "reading headers",
            Phase::Idle(_) => "idle",
            Phase::Open(_) => "open",
        })
    }
}

/// A request the app is answering (its answer's body included).
struct Open(Arc<Watch>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.with(|phase| {
            *phase = match *phase {
                Phase::Open(n) if n > 1 => Phase::Open(n - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// An answer's body that keeps its request [`Open`] until it is done or dropped.
struct Held {
    body: axum::body::Body,
    _open: Open,
}

impl http_body::Body for Held {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The TCP stream, telling its [`Watch`] when bytes arrive.
struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.watch.bytes_arrived();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
