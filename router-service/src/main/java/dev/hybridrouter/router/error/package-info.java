/**
 * The error model: every failure reaches the caller as OpenAI's error JSON
 * {@code {"error":{"message","type","param","code"}}} with the right HTTP status.
 */
package dev.hybridrouter.router.error;
