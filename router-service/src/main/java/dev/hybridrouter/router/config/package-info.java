/** Spring wiring: beans and web settings. */
package dev.hybridrouter.router.config;
