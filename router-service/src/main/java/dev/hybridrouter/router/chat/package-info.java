/**
 * The OpenAI-compatible API: {@code POST /v1/chat/completions}, {@code GET /v1/models}, and the
 * translation between OpenAI's wire format and LangChain4j's chat types.
 */
package dev.hybridrouter.router.chat;
