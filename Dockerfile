# tokentrim serve in a container (not built here: no docker daemon in the development environment;
# the install step was checked outside docker, see docs/server.md "Container").
#   docker build -t tokentrim .
#   docker run -p 8787:8787 -e UPSTREAM=https://api.openai.com -e TOKENTRIM_SERVE_API_KEY=secret tokentrim
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir '.[server]' && useradd --create-home tokentrim
USER tokentrim
ENV UPSTREAM=https://api.openai.com \
    WORKERS=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/tokentrim-metrics
EXPOSE 8787
# A non-loopback bind: set TOKENTRIM_SERVE_API_KEY (read by --api-key) so that only your clients
# can spend your upstream keys.
CMD ["sh", "-c", "mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && exec tokentrim serve --host 0.0.0.0 --port 8787 --upstream \"$UPSTREAM\" --workers \"$WORKERS\""]
