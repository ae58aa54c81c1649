package dev.hybridrouter.router.privacy;

import dev.hybridrouter.policies.Policy.PiiAction;

/**
 * A value of personal data found in a text.
 *
 * @param detector the detector that found it: a {@link dev.hybridrouter.policies.Policy.PiiType} name such
 *     as {@code EMAIL}, or a custom detector's name such as {@code patient-id}
 * @param start index of its first character in the text
 * @param end index after its last character
 * @param value the text between {@code start} and {@code end}
 * @param action what the policy does with it
 */
public record Finding(String detector, int start, int end, String value, PiiAction action) {}
