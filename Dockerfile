# vocbot: one static binary. Build:  docker build -t vocbot .
# Run:    docker run -p 8080:8080 -v vocbot-data:/data vocbot
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/vocbot ./cmd/vocbot

FROM alpine:3.22
# busybox wget serves the HEALTHCHECK; nothing else is added.
RUN adduser -D -H -u 10001 vocbot && mkdir /data && chown vocbot /data
COPY --from=build /out/vocbot /usr/local/bin/vocbot
USER vocbot
ENV VOCBOT_DATABASE_URL=sqlite:///data/vocbot.db \
    VOCBOT_HTTP_ADDR=:8080 \
    VOCBOT_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD wget -q -O /dev/null http://127.0.0.1:8080/livez || exit 1
ENTRYPOINT ["vocbot"]
CMD ["serve"]
