/**
 * The echo example: a standalone WebSocket relay whose in-process workers answer every request
 * with their id, whether the request's key was already in their resource cache, and the body.
 */
@NullMarked
package dev.switchboard.examples.echo;

import org.jspecify.annotations.NullMarked;
