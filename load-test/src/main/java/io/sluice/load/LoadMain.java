package io.sluice.load;

/** Entry point behind {@code ./sluice load} and {@code ./sluice sink}. */
public final class LoadMain {

    private LoadMain() {
    }

    public static void main(String[] args) {
        System.err.println("sluice: load tools are not built yet");
        System.exit(2);
    }
}
