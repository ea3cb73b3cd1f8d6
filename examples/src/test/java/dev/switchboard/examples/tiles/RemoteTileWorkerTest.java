package dev.switchboard.examples.tiles;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.core.routing.Router;
import dev.switchboard.examples.WorkerApp;
import dev.switchboard.transport.zmq.ZmqWorker;
import dev.switchboard.transport.zmq.ZmqWorkerSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/** The tile server with no in-process worker: a tile worker joins over ZeroMQ and serves tiles. */
class RemoteTileWorkerTest {

    TileServer server;
    ZmqWorker worker;
    WorkerApp app;
    Scheduler blocking;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.dispose();
            worker.onDispose().block(Duration.ofSeconds(5));
        }
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
        if (blocking != null) {
            blocking.dispose();
        }
    }

    @Test
    void aRemoteTileWorkerServesTheViewersTiles() throws Exception {
        Path data = TileHandlerTest.demoData();
        server = TileServer.start(new TileServer.Options("127.0.0.1", 0, 0, 4, 4, data, "tcp://127.0.0.1:*"),
                Router.builder());
        String endpoint = server.gatewayEndpoint().orElseThrow();
        assertEquals("503 no live worker", health(), "not ready before a worker joins");
        app = TilesCommand.app(data, 4);
        blocking = Schedulers.newBoundedElastic(4, 64, "remote-tiles");
        worker = ZmqWorker.builder(app.handler())
                .spec(ZmqWorkerSpec.builder().connect(endpoint).id("remote-tiles").capacity(4)
                .cache(app.cache()).blocking(blocking).build()).build();
        await("the remote worker joins the router").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10)).until(() -> !server.router().loads().isEmpty());
        assertEquals("remote-tiles", server.router().loads().get(0).id());
        assertEquals("200 ok", health(), "ready once one joined");

        byte[] frame = HttpClient.create().websocket()
                .uri("ws://127.0.0.1:" + server.address().getPort() + "/ws")
                .handle((in, out) -> out.sendString(Mono.just(
                                "{\"id\":1,\"key\":\"mandelbrot\",\"body\":{\"level\":8,\"x\":0,\"y\":0}}"))
                        .then().thenMany(in.receive().take(1).map(RemoteTileWorkerTest::bytes)))
                .blockFirst(Duration.ofSeconds(20));
        assertEquals(1, frame[0], "a binary frame of the default codec");
        int headerLength = ((frame[1] & 0xff) << 8) | (frame[2] & 0xff);
        String header = new String(frame, 3, headerLength, StandardCharsets.UTF_8);
        assertEquals("{\"id\":1,\"end\":true}", header);
        byte[] jpeg = Arrays.copyOfRange(frame, 3 + headerLength, frame.length);
        assertTrue(jpeg.length > 100 && (jpeg[0] & 0xff) == 0xff && (jpeg[1] & 0xff) == 0xd8, "a JPEG tile");
        assertTrue(app.cache().contains("mandelbrot"), "the remote worker keeps the file open");
        String metrics = http().get().uri("/metrics").responseContent().aggregate().asString()
                .block(Duration.ofSeconds(10));
        for (String histogram : new String[] {"switchboard_request_wait_seconds_bucket",
            "switchboard_worker_service_seconds_bucket", "switchboard_request_first_seconds_bucket",
            "switchboard_request_duration_seconds_bucket"}) {
            assertTrue(metrics.contains(histogram + "{"), "/metrics has " + histogram);
        }
        assertTrue(metrics.contains("switchboard_gateway_workers 1.0"), "the gateway's gauge");
        assertTrue(metrics.contains("switchboard_gateway_requests_total 1.0"), "the gateway's counters");
        assertTrue(metrics.contains("switchboard_gateway_malformed_total 0.0"), "the gateway's counters");
        assertTrue(metrics.contains("switchboard_worker_service_seconds_count{outcome=\"completed\",worker=\"remote-tiles\"} 1"),
                "the tile's service time, by worker");
    }

    private HttpClient http() {
        return HttpClient.create().baseUrl("http://127.0.0.1:" + server.address().getPort());
    }

    private String health() {
        return http().get().uri("/health").responseSingle((res, body) -> body.asString().defaultIfEmpty("")
                .map(b -> res.status().code() + " " + b)).block(Duration.ofSeconds(10));
    }

    private static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }
}
