/**
 * Calling the model that answers: local specialists and large remote models, bridged from LangChain4j's
 * blocking and callback APIs to Reactor, with their failures mapped to what the caller is told.
 */
package dev.hybridrouter.router.upstream;
