# Recovery Coach: a static, cgo-free binary on a small Alpine base.
FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/recoverycoach ./cmd/recoverycoach

FROM alpine:3.22
# ca-certificates for the Slack and Discord APIs; tzdata is also embedded in
# the binary; su-exec drops root after fixing the volume's owner.
RUN apk add --no-cache ca-certificates tzdata su-exec \
    && addgroup -S coach && adduser -S -G coach -h /data coach \
    && mkdir -p /data && chown coach:coach /data
COPY --from=build /out/recoverycoach /usr/local/bin/recoverycoach
ENV COACH_DB=/data/recoverycoach.db \
    COACH_HTTP_ADDR=:8080 \
    COACH_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
# Fly mounts volumes owned by root: hand /data to the coach user, then run
# as that user (PID 1 receives SIGTERM directly through exec).
ENTRYPOINT ["/bin/sh", "-c", "chown -R coach:coach /data && exec su-exec coach /usr/local/bin/recoverycoach \"$@\"", "--"]
CMD ["serve"]
