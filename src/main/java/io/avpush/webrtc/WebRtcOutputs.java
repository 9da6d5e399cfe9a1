package io.avpush.webrtc;

import io.avpush.config.WebRtcSettings;
import io.avpush.session.OfferRejectedException;
import io.avpush.session.Output;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Adapts the WebRTC engine to the session's {@link Output} port. Pushes and close are serialised
 * per session so that the pacer never pushes into a source that has been disposed.
 */
public final class WebRtcOutputs implements Output.Factory {

  private final WebRtcEngine engine;

  public WebRtcOutputs(WebRtcEngine engine) {
    this.engine = engine;
  }

  /** The ICE servers of the settings as of now (TURN REST credentials are made fresh). */
  public static List<IceServer> iceServers(WebRtcSettings settings) {
    return settings.iceServersAt(java.time.Instant.now()).stream()
        .map(s -> new IceServer(s.urls(), s.username(), s.credential()))
        .toList();
  }

  @Override
  public Output create(String sessionId) {
    return new SessionOutput(engine.createOutput(sessionId));
  }

  private static final class SessionOutput implements Output {
    private final MediaOutput media;
    private final ConcurrentHashMap<String, Viewer> viewers = new ConcurrentHashMap<>();
    private boolean closed;

    SessionOutput(MediaOutput media) {
      this.media = media;
    }

    @Override
    public synchronized void pushFrame(byte[] i420, int width, int height) {
      if (!closed) {
        media.pushFrame(i420, width, height);
      }
    }

    @Override
    public synchronized void pushAudio(short[] pcm48kMono, int offset) {
      if (!closed) {
        media.pushAudio(pcm48kMono, offset);
      }
    }

    @Override
    public CompletionStage<String> connect(String viewerId, String offerSdp, BiConsumer<String, ViewerState> onState) {
      return media.connect(viewerId, offerSdp, (id, state) -> onState.accept(id, ViewerState.valueOf(state.name())))
          .handle((viewer, failure) -> {
            if (failure != null) {
              Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
              if (cause instanceof SdpException) {
                throw new OfferRejectedException(cause.getMessage());
              }
              throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
            }
            viewers.put(viewerId, viewer);
            return viewer.answerSdp();
          });
    }

    @Override
    public void disconnect(String viewerId) {
      Viewer viewer = viewers.remove(viewerId);
      if (viewer != null) {
        viewer.close();
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        viewers.clear();
        media.close();
      }
    }
  }
}
