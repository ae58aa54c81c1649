package dev.hybridrouter.router.chat.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The OpenAI model list, as {@code GET /v1/models} returns it. */
public record ModelList(String object, List<Model> data) {

    public ModelList(List<Model> data) {
        this("list", data);
    }

    public record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {

        public Model(String id, long created, String ownedBy) {
            this(id, "model", created, ownedBy);
        }
    }
}
