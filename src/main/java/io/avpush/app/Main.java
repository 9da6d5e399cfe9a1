package io.avpush.app;
public final class Main { public static void main(String[] a) {} }
