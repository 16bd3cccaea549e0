# refunddesk as a container: a static binary (CGO_ENABLED=0; SQLite is pure
# Go) on an empty image. Build: docker build -t refunddesk .
# Run:   docker run -v refunddesk:/var/lib/refunddesk -e REFUNDDESK_HTTP_ADDRESS=0.0.0.0:8080 -p 8080:8080 refunddesk
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=${VERSION}" -o /out/refunddesk ./cmd/refunddesk \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/refunddesk /usr/local/bin/refunddesk
COPY --from=build --chown=65534:65534 /out/data /var/lib/refunddesk
COPY refunddesk.example.toml /etc/refunddesk/refunddesk.example.toml
USER 65534:65534
WORKDIR /var/lib/refunddesk
ENV REFUNDDESK_STORE_DSN=/var/lib/refunddesk/refunddesk.db
VOLUME /var/lib/refunddesk
EXPOSE 8080
# serve stops on SIGTERM (docker stop), finishing the work in flight.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/refunddesk"]
CMD ["serve"]
