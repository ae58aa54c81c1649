/**
 * Distillation capture: escalated exchanges, already masked, written as JSON lines off the request path,
 * and the {@code export} command that turns them into fine-tuning data for the next specialist.
 */
package dev.hybridrouter.router.capture;
