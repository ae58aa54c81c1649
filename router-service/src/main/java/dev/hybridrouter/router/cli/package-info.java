/**
 * Command-line tools in the service's own jar ({@code java -jar router-service.jar <command>}): they run
 * without starting the web server.
 */
package dev.hybridrouter.router.cli;
