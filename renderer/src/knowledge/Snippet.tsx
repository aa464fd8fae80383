// A search snippet with the matched terms marked: the engine puts them between ** and **.
export function Snippet({ text }: { text: string }) {
  const parts = text.split('**');
  return (
    <span className="knowledge-snippet">
      {parts.map((part, index) => (index % 2 === 1 ? <mark key={index}>{part}</mark> : <span key={index}>{part}</span>))}
    </span>
  );
}
