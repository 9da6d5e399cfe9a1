# An avpush node (one alone: docker-compose.single.yml; a cluster member with AVPUSH_SEED_NODES
# etc.: docker-compose.yml). Build the jar first (mvn -B package -DskipTests, or scripts/run.sh),
# then: docker build -t avpush .
# The WebRTC natives of webrtc-java need libpulse0 even when no sound device is used.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpulse0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/avpush
COPY target/avpush.jar application.conf ./
# HTTP API; the cluster port (Pekko Artery TCP) in cluster mode. WebRTC media uses random UDP ports.
EXPOSE 8080 25520
# As scripts/run.sh starts a node: ZGC (pauses under 1 ms with queued frames as the live set; G1
# paused up to 185 ms, docs/benchmarks.md), three quarters of the container's memory as heap (the
# JVM's default is a quarter), native access for webrtc-java. Override the heap with
# JAVA_TOOL_OPTIONS, e.g. -e JAVA_TOOL_OPTIONS=-Xmx4g.
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC", "-XX:MaxRAMPercentage=75", "-jar", "avpush.jar"]
