package dev.hybridrouter.router.routing;

/** Small operations on dense vectors. */
public final class Vectors {

    private Vectors() {}

    public static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** A copy scaled to unit length; a zero vector stays zero. */
    static float[] normalized(float[] vector) {
        double norm = Math.sqrt(dot(vector, vector));
        float[] result = new float[vector.length];
        for (int i = 0; i < vector.length && norm > 0; i++) {
            result[i] = (float) (vector[i] / norm);
        }
        return result;
    }
}
