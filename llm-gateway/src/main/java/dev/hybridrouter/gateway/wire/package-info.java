/**
 * The OpenAI Chat Completions schema as records: the router's own request and response model. Every
 * documented field has a component; a field OpenAI adds later lands in {@code extra} and is written out
 * again unchanged, so nothing the caller sends is lost on the way through. Values the router never reads
 * are kept as {@link tools.jackson.databind.JsonNode}s, exactly as they came.
 */
package dev.hybridrouter.gateway.wire;
