/**
 * The in-process GGUF engine: llama.cpp (build b4916, through the {@code de.kherud:llama} 4.2.0 JNI bindings)
 * behind LangChain4j's {@link dev.langchain4j.model.chat.ChatModel} and
 * {@link dev.langchain4j.model.chat.StreamingChatModel}.
 *
 * <ul>
 *   <li>{@link dev.hybridrouter.specialists.inprocess.LlamaCppModels}: the registry of loaded model files, one
 *       {@link dev.hybridrouter.specialists.inprocess.LlamaCppModel} per file and load options, shared by every
 *       specialist that names it, with bounded concurrency and health state.
 *   <li>{@link dev.hybridrouter.specialists.inprocess.LlamaCppChatModel}: the chat API over one loaded model.
 *   <li>{@link dev.hybridrouter.specialists.inprocess.GgufModelInfo}: reads and checks a GGUF header in Java
 *       before llama.cpp sees the file (llama.cpp can abort the JVM on some bad files).
 *   <li>{@link dev.hybridrouter.specialists.inprocess.ModelDownloader}: fetches a model file by URL and SHA-256
 *       into a cache directory, resumably.
 * </ul>
 *
 * See {@code docs/in-process.md} for what the bindings can and cannot do.
 */
package dev.hybridrouter.specialists.inprocess;
