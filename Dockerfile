# One avpush node. Build the jar first (mvn -B package -DskipTests), then: docker build -t avpush .
# The WebRTC natives of webrtc-java need libpulse0 even when no sound device is used.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpulse0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/avpush
COPY target/avpush.jar application.conf ./
EXPOSE 8080
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "avpush.jar"]
