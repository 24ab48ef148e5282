# syntax=docker/dockerfile:1
# sigaudit as a container image: a static binary on scratch, with CA
# certificates (for --source https://… and trust updates), run as non-root.
#
#   docker build -t sigaudit --build-arg VERSION=v1.2.3 .
#   docker run --rm sigaudit policy 3.13
#
# In a packager's Dockerfile, copy the binary out of it:
#   COPY --from=ghcr.io/sigaudit/sigaudit:v1.2.3 /sigaudit /usr/local/bin/sigaudit
FROM golang:1.26-bookworm AS build
ARG VERSION=devel
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -buildid= -X github.com/sigaudit/sigaudit/internal/cli.version=${VERSION}" \
      -o /out/sigaudit ./cmd/sigaudit \
 && /out/sigaudit version

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/sigaudit /sigaudit
USER 65532:65532
ENV HOME=/tmp
ENTRYPOINT ["/sigaudit"]
