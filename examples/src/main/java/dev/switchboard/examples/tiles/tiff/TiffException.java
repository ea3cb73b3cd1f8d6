package dev.switchboard.examples.tiles.tiff;

import java.io.IOException;

/** A file that is not a TIFF this reader can serve, with the reason in the message. */
public final class TiffException extends IOException {

    private static final long serialVersionUID = 1L;

    /** A failure with its reason. */
    public TiffException(String message) {
        super(message);
    }
}
