package io.avpush.cluster;

import io.avpush.session.SessionRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Tells other nodes about this one: its tag, address, HTTP URL and live sessions (its load, for
 * placing new sessions). Registered with the receptionist, so every node finds every other.
 */
public final class NodeInfo {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "avpush-node");

  public sealed interface Command extends CborSerializable {}

  public record GetReport(ActorRef<Report> replyTo) implements Command {}

  /** A node as others see it; {@code sessions} are the ids of its live sessions. */
  public record Report(String tag, String address, String httpUrl, List<String> sessions) implements CborSerializable {}

  private NodeInfo() {}

  public static Behavior<Command> create(
      String tag, String address, String httpUrl, ActorRef<SessionRegistry.Command> registry, Duration timeout) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      return Behaviors.receive(Command.class)
          .onMessage(GetReport.class, g -> {
            AskPattern.<SessionRegistry.Command, List<String>>ask(
                    registry, SessionRegistry.ListSessions::new, timeout, ctx.getSystem().scheduler())
                .thenAccept(ids -> g.replyTo().tell(new Report(tag, address, httpUrl, ids)));
            return Behaviors.same();
          })
          .build();
    });
  }
}
