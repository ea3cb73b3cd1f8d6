package dev.switchboard.examples;

/** Placeholder entry point; replaced as examples land. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("switchboard examples");
    }
}
