/**
 * Personal data in requests that leave for a large remote model: found by {@link
 * dev.hybridrouter.router.privacy.PiiDetector}, replaced by placeholders such as {@code <EMAIL_1>} in a
 * {@link dev.hybridrouter.router.privacy.Masking}, and put back into the answer, whole or streamed.
 */
package dev.hybridrouter.router.privacy;
