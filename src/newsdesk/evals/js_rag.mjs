// promptfoo 0.123.1's context-recall, context-relevance and context-faithfulness
// (src/matchers/rag.ts, src/prompts):
// its prompts and its reading of the grader's answer, copied verbatim from its dist build; the
// grader call itself is newsdesk's (the `resp` below is the grader's answer as promptfoo sees it).
//
// Copyright (c) Promptfoo 2025. MIT License (the notice in full: js_checks.mjs).

const normalizeMatcherTokenUsage = (usage) => usage ?? {};
const graderFail = (reason, tokensUsed) => ({ pass: false, score: 0, reason, tokensUsed, metadata: { graderError: true } });
function invariant(condition, message) {
	if (!condition) throw new Error(`Invariant failed: ${message}`);
}

function splitIntoSentences(text) {
	return text.split("\n").filter((sentence) => sentence.trim() !== "");
}

const ENUMERATION_MARKER_ONLY = /^\d+[.)]$/;
function splitTextIntoSentences(text) {
	const lines = text.split("\n").filter((line) => line.trim() !== "");
	return (lines.length > 1 ? lines : text.split(/(?<=[.!?])\s+/)).map((sentence) => sentence.trim()).filter((sentence) => sentence.length > 0 && !ENUMERATION_MARKER_ONLY.test(sentence));
}

const CONTEXT_RECALL = `Given a context, and an answer, analyze each sentence in the answer and classify if the sentence can be attributed to the given context or not.
Think in steps and reason before coming to conclusion.

context: Albert Einstein (14 March 1879 – 18 April 1955) was a German-born theoretical physicist,widely held to be one of the greatest and most influential scientists of all time. Best known for developing the theory of relativity, he also made important contributions to quantum mechanics, and was thus a central figure in the revolutionary reshaping of the scientific understanding of nature that modern physics accomplished in the first decades of the twentieth century. His mass–energy equivalence formula E = mc2, which arises from relativity theory, has been called "the world's most famous equation". He received the 1921 Nobel Prize in Physics "for his services to theoretical physics, and especially for his discovery of the law of the photoelectric effect", a pivotal step in the development of quantum theory. His work is also known for its influence on the philosophy of science. In a 1999 poll of 130 leading physicists worldwide by the British journal Physics World, Einstein was ranked the greatest physicist of all time. His intellectual achievements and originality have made Einstein synonymous with genius.
answer: Albert Einstein born in 14 March 1879 was  German-born theoretical physicist, widely held to be one of the greatest and most influential scientists of all time. He received the 1921 Nobel Prize in Physics "for his services to theoretical physics. He published 4 papers in 1905.  Einstein moved to Switzerland in 1895
classification
1. Albert Einstein born in 14 March 1879 was  German-born theoretical physicist, widely held to be one of the greatest and most influential scientists of all time. The date of birth of Einstein is mentioned clearly in the context. So [Attributed]
2. He received the 1921 Nobel Prize in Physics "for his services to theoretical physics. The exact sentence is present in the given context. So [Attributed]
3. He published 4 papers in 1905. There is no mention about papers he wrote in given the context. So [Not Attributed]
4. Einstein moved to Switzerland in 1895. There is not supporting evidence for this in the given the context. So [Not Attributed]

context:{{context}}
answer:{{groundTruth}}
classification:
`;
const CONTEXT_RECALL_ATTRIBUTED_TOKEN = "[Attributed]";
const CONTEXT_RECALL_NOT_ATTRIBUTED_TOKEN = "[Not Attributed]";
const CONTEXT_RELEVANCE = `Please extract relevant sentences from the provided context that is absolutely required answer the following query. If no relevant sentences are found, or if you believe the query cannot be answered from the given context, return the phrase "Insufficient Information".  While extracting candidate sentences you're not allowed to make any changes to sentences from given context.

query: {{query}}
context: {{context}}
candidate sentences:
`;
const CONTEXT_RELEVANCE_BAD = "Insufficient Information";

function serializeContext(context) {
	return Array.isArray(context) ? context.join("\n\n") : context;
}

function contextRecallVerdict(resp, threshold) {
	if (resp.error || !resp.output) return graderFail(resp.error || "No output", resp.tokenUsage);
	invariant(typeof resp.output === "string", "context-recall produced malformed response");
	const attributedTokenLower = CONTEXT_RECALL_ATTRIBUTED_TOKEN.toLowerCase();
	const notAttributedTokenLower = CONTEXT_RECALL_NOT_ATTRIBUTED_TOKEN.toLowerCase();
	const sentences = splitIntoSentences(resp.output).filter((line) => {
		const lowerLine = line.toLowerCase();
		return lowerLine.includes(attributedTokenLower) || lowerLine.includes(notAttributedTokenLower);
	});
	const sentenceAttributions = [];
	let numerator = 0;
	for (const sentence of sentences) {
		const lowerSentence = sentence.toLowerCase();
		const isAttributed = !lowerSentence.includes(notAttributedTokenLower) && lowerSentence.includes(attributedTokenLower);
		if (isAttributed) numerator++;
		const sentenceMatch = sentence.match(/^\d+\.\s*([^\.]+\.)/);
		const cleanSentence = sentenceMatch ? sentenceMatch[1].trim() : sentence.split(".")[0].trim();
		sentenceAttributions.push({
			sentence: cleanSentence,
			attributed: isAttributed
		});
	}
	if (sentences.length === 0) return {
		pass: false,
		score: 0,
		reason: "Grader returned no [Attributed]/[Not Attributed] classifications",
		tokensUsed: normalizeMatcherTokenUsage(resp.tokenUsage),
		metadata: {
			sentenceAttributions: [],
			totalSentences: 0,
			attributedSentences: 0,
			score: 0,
			graderError: true
		}
	};
	const score = numerator / sentences.length;
	const pass = score >= threshold - Number.EPSILON;
	const metadata = {
		sentenceAttributions,
		totalSentences: sentences.length,
		attributedSentences: numerator,
		score
	};
	return {
		pass,
		score,
		reason: pass ? `Recall ${score.toFixed(2)} is >= ${threshold}` : `Recall ${score.toFixed(2)} is < ${threshold}`,
		tokensUsed: normalizeMatcherTokenUsage(resp.tokenUsage),
		metadata
	};
}

function contextRelevanceVerdict(resp, context, threshold) {
	const contextString = serializeContext(context);
	if (resp.error || !resp.output) return graderFail(resp.error || "No output", resp.tokenUsage);
	invariant(typeof resp.output === "string", "context-relevance produced malformed response");
	const contextIsPreSegmented = Array.isArray(context) || context.split("\n").filter((line) => line.trim() !== "").length > 1;
	const contextUnits = Array.isArray(context) ? context.filter((chunk) => chunk.trim().length > 0) : splitTextIntoSentences(context);
	const totalContextUnits = contextUnits.length;
	const insufficientInformation = resp.output.includes(CONTEXT_RELEVANCE_BAD);
	const relevantSentences = insufficientInformation ? [] : [...new Set((contextIsPreSegmented ? splitIntoSentences : splitTextIntoSentences)(resp.output))];
	const numerator = Math.min(relevantSentences.length, totalContextUnits);
	const score = totalContextUnits > 0 ? numerator / totalContextUnits : 0;
	const pass = score >= threshold - Number.EPSILON;
	const normalizeForComparison = (value) => value.toLowerCase().replace(/\s+/g, " ").trim();
	const contextNormalized = normalizeForComparison(contextString);
	if (!insufficientInformation && relevantSentences.length > 0 && !relevantSentences.some((sentence) => contextNormalized.includes(normalizeForComparison(sentence.replace(/^\s*(?:\d+[.)]|[-*])\s*/, ""))))) return {
		pass: false,
		score: 0,
		reason: "Grader output does not quote the provided context",
		tokensUsed: normalizeMatcherTokenUsage(resp.tokenUsage),
		metadata: {
			graderError: true,
			graderOutputs: { final: resp.output }
		}
	};
	const metadata = {
		graderOutputs: { final: resp.output },
		extractedSentences: relevantSentences,
		totalContextUnits,
		totalContextSentences: totalContextUnits,
		contextUnits,
		relevantSentenceCount: numerator,
		insufficientInformation,
		score
	};
	return {
		pass,
		score,
		reason: pass ? `Context relevance ${score.toFixed(2)} is >= ${threshold}` : `Context relevance ${score.toFixed(2)} is < ${threshold}`,
		tokensUsed: normalizeMatcherTokenUsage(resp.tokenUsage),
		metadata
	};
}


// context-faithfulness: its two prompts, and the end of matchesContextFaithfulness (reading the
// NLI answer) as a function of the answer and the statements extracted before
const CONTEXT_FAITHFULNESS_LONGFORM = `Given a question and answer, create one or more statements from each sentence in the given answer.
question: Who was  Albert Einstein and what is he best known for?
answer: He was a German-born theoretical physicist, widely acknowledged to be one of the greatest and most influential physicists of all time. He was best known for developing the theory of relativity, he also made important contributions to the development of the theory of quantum mechanics.
statements:\nAlbert Einstein was born in Germany.\nAlbert Einstein was best known for his theory of relativity.
question: Cadmium Chloride is slightly soluble in this chemical, it is also called what?
answer: alcohol
statements:\nCadmium Chloride is slightly soluble in alcohol.
question: Were Shahul and Jithin of the same nationality?
answer: They were from different countries.
statements:\nShahul and Jithin were from different countries.
question:{{question}}
answer: {{answer}}
statements:\n`;
const CONTEXT_FAITHFULNESS_NLI_STATEMENTS = `Prompt: Natural language inference
Consider the given context and following statements, then determine whether they are supported by the information present in the context.Provide a brief explanation for each statement before arriving at the verdict (Yes/No). Provide a final verdict for each statement in order at the end in the given format. Do not deviate from the specified format.

Context:\nJohn is a student at XYZ University. He is pursuing a degree in Computer Science. He is enrolled in several courses this semester, including Data Structures, Algorithms, and Database Management. John is a diligent student and spends a significant amount of time studying and completing assignments. He often stays late in the library to work on his projects.
statements:\n1. John is majoring in Biology.\n2. John is taking a course on Artificial Intelligence.\n3. John is a dedicated student.\n4. John has a part-time job.\n5. John is interested in computer programming.\n
Answer:
1. John is majoring in Biology.
Explanation: John's major is explicitly mentioned as Computer Science. There is no information suggesting he is majoring in Biology.  Verdict: No.
2. John is taking a course on Artificial Intelligence.
Explanation: The context mentions the courses John is currently enrolled in, and Artificial Intelligence is not mentioned. Therefore, it cannot be deduced that John is taking a course on AI. Verdict: No.
3. John is a dedicated student.
Explanation: The prompt states that he spends a significant amount of time studying and completing assignments. Additionally, it mentions that he often stays late in the library to work on his projects, which implies dedication. Verdict: Yes.
4. John has a part-time job.
Explanation: There is no information given in the context about John having a part-time job. Therefore, it cannot be deduced that John has a part-time job.  Verdict: No.
5. John is interested in computer programming.
Explanation: The context states that John is pursuing a degree in Computer Science, which implies an interest in computer programming. Verdict: Yes.
Final verdict for each statement in order: No. No. Yes. No. Yes.
context:\n{{context}}
statements:\n{{statements|join("\\n")}}
Answer:
`;

function contextFaithfulnessVerdict(resp, statements, threshold, tokensUsed) {
	if (resp.error || !resp.output) return graderFail(resp.error || "No output", tokensUsed);
	let finalAnswer = "Final verdict for each statement in order:";
	finalAnswer = finalAnswer.toLowerCase();
	let verdicts = resp.output.toLowerCase().trim();
	let score = 0;
	let parsedVerdict = false;
	if (verdicts.includes(finalAnswer)) {
		verdicts = verdicts.slice(verdicts.indexOf(finalAnswer) + finalAnswer.length);
		const parsedVerdicts = verdicts.split(".").filter((answer) => answer.trim() !== "");
		if (parsedVerdicts.length > 0 && parsedVerdicts.every((answer) => /\b(?:yes|no)\b/.test(answer))) {
			parsedVerdict = true;
			score = 1 - (parsedVerdicts.filter((answer) => !answer.includes("yes")).length + Math.max(0, statements.length - parsedVerdicts.length)) / statements.length;
		}
	} else {
		const noVerdictCount = verdicts.split("verdict: no").length - 1;
		const yesVerdictCount = verdicts.split("verdict: yes").length - 1;
		if (noVerdictCount + yesVerdictCount > 0) {
			parsedVerdict = true;
			score = 1 - (noVerdictCount + Math.max(0, statements.length - noVerdictCount - yesVerdictCount)) / statements.length;
		}
	}
	if (!parsedVerdict) return graderFail("Could not parse context-faithfulness verdicts", tokensUsed);
	score = Math.min(1, Math.max(0, score));
	const pass = score >= threshold - Number.EPSILON;
	return {
		pass,
		score,
		reason: pass ? `Faithfulness ${score.toFixed(2)} is >= ${threshold}` : `Faithfulness ${score.toFixed(2)} is < ${threshold}`,
		tokensUsed
	};
}

// newsdesk's entry points: the default prompt by assertion type, and the verdict
export const RAG_PROMPTS = {
	"context-recall": CONTEXT_RECALL,
	"context-relevance": CONTEXT_RELEVANCE,
	"context-faithfulness": CONTEXT_FAITHFULNESS_LONGFORM,
	"context-faithfulness-nli": CONTEXT_FAITHFULNESS_NLI_STATEMENTS
};
export function ragStatements(output) {
	return splitIntoSentences(output);
}
export function serialize(context) {
	return serializeContext(context);
}
export function ragVerdict({ type, output, context, threshold }) {
	const resp = { output };
	const result = type === "context-recall" ? contextRecallVerdict(resp, threshold) : type === "context-faithfulness" ? contextFaithfulnessVerdict(resp, context, threshold, {}) : contextRelevanceVerdict(resp, context, threshold);
	return { pass: result.pass, score: result.score, reason: result.reason, graderError: result.metadata?.graderError === true };
}
