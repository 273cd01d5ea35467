# Veche in a container, built from a distribution kit (npm run kit): the image runs the same
# installer/install.sh a sysadmin runs on a server (--docker: no systemd, port 8443, non-root).
#
#   docker build --build-arg KIT=dist/veche-0.1.0-linux-x64.tar.gz -t veche:0.1.0 .
#   docker run -d --name veche -v veche-data:/var/lib/veche --sysctl net.core.rmem_default=4194304 \
#     -e VECHE_MEDIA_ANNOUNCED_ADDRESS=<this host's LAN address> -e VECHE_MEDIA_WORKERS=2 \
#     -p 443:8443/tcp -p 40000-40001:40000-40001/udp -p 40000-40001:40000-40001/tcp veche:0.1.0
#   docker exec -it veche veche activate <license key>
#
# Ports: 8443/tcp HTTPS (publish it as 443), 40000+N/udp+tcp media for N workers.

# Stage 1: unpack the kit; nothing is downloaded or built here.
FROM debian:bookworm-slim AS kit
ARG KIT
COPY ${KIT} /tmp/veche-kit.tar.gz
RUN mkdir /kit && tar -xzf /tmp/veche-kit.tar.gz -C /kit --strip-components=1

# Stage 2: the appliance: Debian's runtime libraries, the veche user, /opt/veche, /etc/veche.
FROM debian:bookworm-slim
COPY --from=kit /kit /tmp/kit
RUN apt-get update \
 && /tmp/kit/installer/install.sh --docker \
 && rm -rf /tmp/kit /var/lib/apt/lists/*
ENV VECHE_CONFIG=/etc/veche/veche.yaml
VOLUME ["/var/lib/veche"]
EXPOSE 8443/tcp 40000/udp 40000/tcp
USER veche
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/veche/current/bin/veche", "health"]
STOPSIGNAL SIGTERM
CMD ["/opt/veche/current/bin/veche", "serve"]
