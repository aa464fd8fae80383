// Viewing and editing one article: title, body, URL and tags, checked with the contract's schema
// (the error next to the field at fault); delete after a confirmation.
import { Save, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { KnowledgeArticleInputSchema, type KnowledgeArticle } from '../../../shared/api';
import { useApi } from '../api/context';
import { askConfirm, Banner, Button, errorsByField, Field, toast } from '../ui';

type Errors = Partial<Record<'title' | 'body' | 'url' | 'tags', string>>;

export function ArticleEditor({ article, onSaved, onDeleted }: { article: KnowledgeArticle | null; onSaved: (article: KnowledgeArticle) => void; onDeleted: () => void }) {
  const api = useApi();
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [url, setUrl] = useState(article?.url ?? '');
  const [tags, setTags] = useState(article?.tags.join(', ') ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function save() {
    const input = { title, body, url: url.trim(), tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean) };
    const checked = KnowledgeArticleInputSchema.safeParse(input);
    if (!checked.success) {
      setErrors(errorsByField<keyof Errors>(checked.error));
      return;
    }
    setErrors({});
    try {
      const saved = await api['knowledge.save']({ ...input, ...(article ? { id: article.id } : {}) });
      setFailure(null);
      toast({ title: `Saved “${saved.title}”`, tone: 'success' });
      onSaved(saved);
    } catch (problem) {
      setFailure((problem as Error).message);
    }
  }

  async function remove() {
    if (!article || !(await askConfirm(`Delete “${article.title}”?`, 'The agent will no longer find it in the knowledge hub.', 'Delete', true))) return;
    try {
      await api['knowledge.delete']({ id: article.id });
      toast({ title: `Deleted “${article.title}”`, tone: 'success' });
      onDeleted();
    } catch (problem) {
      setFailure((problem as Error).message);
    }
  }

  return (
    <form
      className="knowledge-editor"
      aria-label={article ? `Article ${article.title}` : 'New article'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <Field label="Title" error={errors.title ?? null}>
        <input className="sw-input" value={title} onChange={(event) => setTitle(event.target.value)} />
      </Field>
      <Field label="Body" help="Markdown. The agent reads this when it searches the knowledge hub." error={errors.body ?? null}>
        <textarea className="sw-input sw-textarea knowledge-body" rows={16} value={body} onChange={(event) => setBody(event.target.value)} />
      </Field>
      <div className="knowledge-row">
        <Field label="URL" help="Where customers can read it, if anywhere." error={errors.url ?? null}>
          <input className="sw-input" value={url} onChange={(event) => setUrl(event.target.value)} placeholder="https://" />
        </Field>
        <Field label="Tags" help="Separated by commas." error={errors.tags ?? null}>
          <input className="sw-input" value={tags} onChange={(event) => setTags(event.target.value)} />
        </Field>
      </div>
      {article?.source && <p className="muted">Imported from {article.source}; importing that file again updates this article.</p>}
      {failure && <Banner tone="error">{failure}</Banner>}
      <div className="knowledge-buttons">
        <Button type="submit" variant="primary" icon={Save}>
          {article ? 'Save' : 'Add article'}
        </Button>
        {article && (
          <Button variant="danger" icon={Trash2} onClick={() => void remove()}>
            Delete
          </Button>
        )}
      </div>
    </form>
  );
}
