package dev.switchboard.examples.worker;

import dev.switchboard.core.Payload;
import dev.switchboard.core.Request;
import dev.switchboard.core.worker.WorkerContext;
import dev.switchboard.core.worker.WorkerHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import reactor.core.publisher.Flux;

/**
 * Appends one line per request its handler starts, {@code WORKER_ID<TAB>REQUEST_ID<TAB>KEY}, and
 * flushes it before the handler runs, so the log survives a {@code kill -9} and a test can prove
 * that a request ran at most once across all workers. Keys and ids are written as the codec gave
 * them (a tab or a line break in them would only blur that test's reading, not the worker).
 */
final class RunLog implements WorkerHandler, AutoCloseable {

    private final WorkerHandler handler;
    private final Writer out;

    RunLog(WorkerHandler handler, Path file) {
        this.handler = handler;
        try {
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the run log " + file, e);
        }
    }

    @Override
    public Flux<Payload> handle(Request request, WorkerContext context) {
        return Flux.defer(() -> {
            write(context.workerId() + '\t' + request.id() + '\t' + request.key() + '\n');
            return handler.handle(request, context);
        });
    }

    private void write(String line) {
        synchronized (out) {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the run log", e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (out) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
