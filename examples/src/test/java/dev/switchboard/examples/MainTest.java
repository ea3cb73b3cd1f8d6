package dev.switchboard.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void anUnknownExamplePrintsTheUsageAndExitsWith2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"tetris"}, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("unknown example 'tetris'"), text);
        assertTrue(text.contains("examples: tiles, echo, worker"), text);
    }

    @Test
    void optionsWithoutANameGoToTheTileServer() {
        assertEquals(0, Main.run(new String[] {"--help"}, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)));
        assertEquals(2, Main.run(new String[] {"--no-such-option"}, new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8)));
    }

    @Test
    void badOptionsOfAnExampleExitWith2() {
        assertEquals(2, Main.run(new String[] {"echo", "--workers"}, new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8)));
    }
}
