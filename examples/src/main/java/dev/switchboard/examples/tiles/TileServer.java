package dev.switchboard.examples.tiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.Relay;
import dev.switchboard.core.metrics.MetricsSnapshot;
import dev.switchboard.core.metrics.MicrometerBinder;
import dev.switchboard.core.metrics.Readiness;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.WorkerLoad;
import dev.switchboard.core.worker.LocalWorker;
import dev.switchboard.core.worker.ResourceCache;
import dev.switchboard.transport.netty.WebSocketRelayHandler;
import dev.switchboard.transport.netty.WebSocketRelaySpec;
import dev.switchboard.transport.zmq.ZmqGateway;
import dev.switchboard.transport.zmq.ZmqGatewayMeters;
import dev.switchboard.transport.zmq.ZmqGatewaySpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The tile server: a deep-zoom viewer whose tiles come over the relay's WebSocket from tile
 * workers, each keeping its open pyramid files in a {@link ResourceCache}, plus {@code /stats}
 * (JSON) and {@code /metrics} (Prometheus). Static files are read once at start, so the event
 * loop never touches the disk; tiles are read by the workers on a bounded scheduler.
 */
public final class TileServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TileServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/";

    private final TileCatalog catalog;
    private final List<LocalWorker> workers = new ArrayList<>();
    private final List<ResourceCache<String, Pyramid>> caches = new ArrayList<>();
    private final Scheduler blocking;
    private final Router router;
    private final Relay relay;
    private final WebSocketRelayHandler handler;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Static> files;
    private final DisposableServer server;
    private final @Nullable ZmqGateway gateway;

    private record Static(byte[] bytes, String type) {
    }

    /** Options of a tile server. */
    record Options(String host, int port, int workers, int cachePerWorker, int capacity, Path data,
                   @Nullable String gateway) {
        Options {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be within 0..65535, was " + port);
            }
            if (workers < 0 || cachePerWorker < 1 || capacity < 1 || (workers == 0 && gateway == null)) {
                throw new IllegalArgumentException(
                        "--cache and --capacity must be >= 1, --workers >= 1 unless --gateway brings remote workers");
            }
        }
    }

    private TileServer(Options o, Router.Builder routerBuilder) {
        this.catalog = TileCatalog.scan(o.data());
        log.info("{} images in {}", catalog.images().size(), o.data());
        this.blocking = Schedulers.newBoundedElastic(Math.max(1, o.workers() * o.capacity()), 1024, "tile-io");
        for (int i = 0; i < o.workers(); i++) {
            ResourceCache<String, Pyramid> cache = TileHandler.readerCache(catalog, o.cachePerWorker());
            caches.add(cache);
            LocalWorker w = LocalWorker.builder(new TileHandler(catalog, cache)).id("tiles-" + (i + 1))
                    .capacity(o.capacity()).blocking(blocking).cache(cache).build();
            workers.add(w);
            routerBuilder.worker(w);
        }
        this.router = routerBuilder.build();
        this.gateway = o.gateway() == null ? null
                : ZmqGateway.builder(router.membership())
                        .spec(ZmqGatewaySpec.builder().endpoint(o.gateway()).build())
                        .bindNow();
        this.relay = Relay.builder().router(router).build();
        MicrometerBinder.builder(relay.metrics()).build().bindTo(registry);
        if (gateway != null) {
            ZmqGatewayMeters.builder(gateway).build().bindTo(registry);
        }
        this.handler = WebSocketRelayHandler.builder(relay)
                .spec(WebSocketRelaySpec.builder().path("/ws").build())
                .build();
        this.files = loadStatic();
        this.server = HttpServer.create().host(o.host()).port(o.port())
                .route(r -> {
                    handler.mount(r);
                    r.get("/images", (req, res) -> json(res, images()));
                    r.get("/stats", (req, res) -> json(res, stats()));
                    r.get("/health", (req, res) -> health(res, relay));
                    r.get("/metrics", (req, res) -> res.header(HttpHeaderNames.CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8").sendString(Mono.just(registry.scrape())));
                    r.route(req -> req.method() == HttpMethod.GET, (req, res) -> serve(res, req.path()));
                })
                .bindNow(Duration.ofSeconds(10));
    }

    /** The relay's readiness as a probe answers it: 200 "ok", or 503 and why not. */
    static Publisher<Void> health(HttpServerResponse res, Relay relay) {
        Readiness r = relay.metrics().readiness();
        return res.status(r.ready() ? 200 : 503).sendString(Mono.just(r.reason()));
    }

    /** Starts a tile server over the images of {@code options.data()}. */
    static TileServer start(Options options, Router.Builder router) {
        return new TileServer(options, router);
    }

    /** The address it listens on. */
    InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /** The ZeroMQ endpoint remote tile workers connect to, if it has one. */
    Optional<String> gatewayEndpoint() {
        return gateway == null ? Optional.empty() : Optional.of(gateway.endpoint());
    }

    /** The router, for tests and remote workers. */
    Router router() {
        return router;
    }

    Relay relay() {
        return relay;
    }

    private ArrayNode images() {
        ArrayNode list = JSON.createArrayNode();
        for (TileCatalog.Image i : catalog.images()) {
            list.addObject().put("name", i.name()).put("width", i.width()).put("height", i.height())
                    .put("tileSize", i.tileSize()).put("minLevel", i.minLevel()).put("maxLevel", i.maxLevel())
                    .put("format", i.format().mediaType());
        }
        return list;
    }

    /** The stats panel's JSON: the relay's snapshot, cache hit ratio and each worker's files. */
    ObjectNode stats() {
        MetricsSnapshot s = relay.metrics().snapshot();
        ObjectNode root = JSON.createObjectNode();
        root.put("sessions", s.sessions()).put("inFlight", s.inFlight()).put("waiting", s.waiting())
                .put("queuedResponses", s.queuedResponses()).put("requests", s.requests()).put("frames", s.frames())
                .put("routed", s.routed()).put("affinityHits", s.affinityHits())
                .put("affinityHitRatio", s.affinityHitRatio());
        long hits = 0;
        long misses = 0;
        Map<String, ResourceCache<String, Pyramid>> byWorker = new HashMap<>();
        for (int i = 0; i < workers.size(); i++) {
            byWorker.put(workers.get(i).id(), caches.get(i));
            hits += caches.get(i).hitCount();
            misses += caches.get(i).missCount();
        }
        root.put("cacheHits", hits).put("cacheMisses", misses)
                .put("cacheHitRatio", hits + misses == 0 ? 0 : (double) hits / (hits + misses));
        ObjectNode errors = root.putObject("errors");
        s.errors().forEach(errors::put);
        ArrayNode ws = root.putArray("workers");
        for (WorkerLoad w : s.workers()) {
            ObjectNode n = ws.addObject().put("id", w.id()).put("capacity", w.capacity()).put("active", w.active())
                    .put("waiting", w.waiting()).put("served", w.served()).put("cachedKeys", w.cachedKeys());
            ResourceCache<String, Pyramid> c = byWorker.get(w.id());
            ArrayNode cached = n.putArray("cached");
            if (c != null) {
                c.keys().stream().sorted().forEach(cached::add);
            }
        }
        return root;
    }

    private static Mono<Void> json(HttpServerResponse res, JsonNode node) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            return Mono.error(e);
        }
        return res.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .sendByteArray(Mono.just(bytes)).then();
    }

    private Mono<Void> serve(HttpServerResponse res, String path) {
        Static f = files.get(path.isEmpty() ? "index.html" : path);
        if (f == null) {
            return res.status(HttpResponseStatus.NOT_FOUND).sendString(Mono.just("not found\n")).then();
        }
        return res.header(HttpHeaderNames.CONTENT_TYPE, f.type()).sendByteArray(Mono.just(f.bytes())).then();
    }

    /** Reads every static file once: the page, OpenSeadragon's build and uPlot's WebJar. */
    private static Map<String, Static> loadStatic() {
        Map<String, Static> out = new HashMap<>();
        for (String f : List.of("index.html", "app.js", "app.css")) {
            out.put(f, new Static(resource("static/" + f), type(f)));
        }
        String list = new String(resource("static/vendor/openseadragon/files.txt"), StandardCharsets.UTF_8);
        for (String f : list.split("\n")) {
            if (!f.isBlank()) {
                out.put("vendor/openseadragon/" + f, new Static(resource("static/vendor/openseadragon/" + f), type(f)));
            }
        }
        for (String f : List.of("dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE")) {
            out.put("webjars/uplot/" + f, new Static(resource(UPLOT + f), type(f)));
        }
        return Map.copyOf(out);
    }

    private static byte[] resource(String name) {
        try (InputStream in = TileServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String type(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (name.endsWith(".png")) {
            return "image/png";
        }
        return "text/plain; charset=utf-8";
    }

    /** Stops accepting, lets requests in flight finish, closes every session, worker and file. */
    @Override
    public void close() {
        try {
            handler.shutdown(Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
            if (gateway != null) {
                gateway.dispose();
            }
            router.dispose();
            workers.forEach(LocalWorker::close);
            caches.forEach(ResourceCache::close);
            blocking.dispose();
            registry.close();
        }
    }
}
