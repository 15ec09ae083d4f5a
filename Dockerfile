# genaicost container image: `genaicost serve` on port 8080 as a non-root user (uid 10001) that needs a writable
# /data (the history store) and /tmp only, so it runs with a read-only root filesystem.
#   docker build -t ghcr.io/genaicost/genaicost:0.1.0 .      # the tag the Helm chart's appVersion points to
#   docker push ghcr.io/genaicost/genaicost:0.1.0
# docs/deploy.md has the details; deploy/helm/genaicost runs it with the same arguments as CMD below.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m venv /opt/genaicost && /opt/genaicost/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/genaicost/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GENAICOST_DATA_DIR=/data \
    HOME=/tmp
RUN groupadd --system --gid 10001 genaicost \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin genaicost \
    && mkdir -p /data /var/run/genaicost \
    && chown 10001:10001 /data
COPY --from=build /opt/genaicost /opt/genaicost
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["genaicost"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--store", "sqlite:////data/genaicost.db", "--token-file", "/var/run/genaicost/token"]
