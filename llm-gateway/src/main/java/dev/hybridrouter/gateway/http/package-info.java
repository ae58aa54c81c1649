/**
 * HTTP plumbing shared by every remote provider: what an upstream's HTTP failure means for the caller,
 * a bounded body reader, and server-sent events read off the pooled Reactor Netty client.
 */
package dev.hybridrouter.gateway.http;
