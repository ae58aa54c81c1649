/**
 * The router's own response types beside the chat API: the model list and the route explanation. The chat
 * request and response themselves are the gateway's wire model ({@code dev.hybridrouter.gateway.wire}).
 */
package dev.hybridrouter.router.chat.internal;
