# Healing Space container image.
#
#   docker build -t healing-space .
#   docker run --rm -p 8000:8000 -e SECRET_KEY -v healing-data:/app/data healing-space
#
# The image holds no secret. SECRET_KEY (and DATABASE_URL for PostgreSQL) come from the
# platform's variables at run time; see docs/DEPLOYMENT.md.

# ---- build ------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /build

# Dependencies first, against placeholder sources, so this slow layer is reused until
# Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

# Then everything else the build reads: src/, migrations/ (embedded by sqlx::migrate!),
# and web/ once it exists (embedded static assets). .dockerignore keeps out target/,
# data/, .git and .env.
COPY . .
# The real sources may be older than the placeholders; touch them so cargo rebuilds.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -m 0755 target/release/healing-space /usr/local/bin/healing-space

# ---- run --------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates for outbound TLS, curl for the HEALTHCHECK below, libssl3 for passkeys
# (webauthn-rs links OpenSSL; the builder image has its headers).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl libssl3 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 healing \
    && useradd --system --uid 10001 --gid healing --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin healing

WORKDIR /app
# The SQLite database lives here when DATABASE_URL is not PostgreSQL. Mount a volume at
# /app/data to keep it across deploys. (No VOLUME instruction: Railway refuses it.)
RUN mkdir -p /app/data \
    && chown healing:healing /app/data \
    && chmod 0700 /app/data

COPY --from=builder /usr/local/bin/healing-space /usr/local/bin/healing-space

# Listen on every interface inside the container; PORT is replaced by the platform's own
# value where it sets one (Railway does). DATABASE_URL is only a default: set it to a
# postgres:// URL for PostgreSQL. Never set SECRET_KEY here.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:///app/data/healing-space.db \
    DATA_DIR=/app/data

USER healing
EXPOSE 8000

# Ready means the database answers and is migrated. Shell form, so ${PORT} is read when
# the check runs, not when the image is built.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/api/ready" || exit 1

# The binary is PID 1, so it receives SIGTERM directly and shuts down gracefully.
ENTRYPOINT ["healing-space"]
CMD ["serve"]
