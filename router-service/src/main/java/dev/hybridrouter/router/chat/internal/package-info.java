/** The OpenAI wire format, as records; only what the router reads and writes. */
package dev.hybridrouter.router.chat.internal;
