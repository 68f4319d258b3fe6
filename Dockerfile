# syntax=docker/dockerfile:1
# Build stage: cgo is required (DuckDB is linked in), and so is the
# duckdb_arrow tag for the Arrow interface the loader uses.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .dockerignore keeps .git out, so the version and revision come in as
# build arguments: docker build --build-arg VERSION=v1.2.0 --build-arg REVISION=$(git rev-parse HEAD) .
ARG VERSION=""
ARG REVISION=""
RUN CGO_ENABLED=1 go build -tags duckdb_arrow -trimpath \
    -ldflags="-s -w -X github.com/tradewh/tradewh/internal/buildinfo.version=${VERSION} -X github.com/tradewh/tradewh/internal/buildinfo.revision=${REVISION}" \
    -o /out/tradewh ./cmd/tradewh

# Runtime stage: glibc and libstdc++ for DuckDB, CA certificates for the APIs.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tradewh \
    && mkdir -p /data /etc/tradewh \
    && chown tradewh:tradewh /data
COPY --from=build /out/tradewh /usr/local/bin/tradewh
COPY jobs/configs/live.yaml /etc/tradewh/jobs.yaml
USER tradewh
WORKDIR /data
VOLUME ["/data"]
# /healthz and /metrics, for a Prometheus in Compose or Kubernetes (read-only, no secrets).
EXPOSE 9464
# /healthz of the scheduler, asked by the binary itself (the slim image has no curl).
HEALTHCHECK --interval=1m --timeout=15s --retries=3 \
    CMD ["/usr/local/bin/tradewh", "healthcheck", "--url", "http://127.0.0.1:9464/healthz", "--timeout", "10s"]
ENTRYPOINT ["/usr/local/bin/tradewh", "--warehouse", "/data", "--log-format", "json"]
CMD ["schedule", "--config", "/etc/tradewh/jobs.yaml", "--listen", "0.0.0.0:9464", "--listen-public"]
