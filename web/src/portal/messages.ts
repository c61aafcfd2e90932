import type { Messages } from '../i18n';

type Key =
  | 'title' | 'tabIncidents' | 'tabHealth' | 'tabKeys' | 'check' | 'serial' | 'checkButton' | 'covered' | 'notCovered' | 'warrantyUntil'
  | 'contract' | 'entitlements' | 'needsQuote' | 'file' | 'priority' | 'category' | 'symptoms' | 'contactName' | 'contactEmail'
  | 'contactPhone' | 'fileButton' | 'filed' | 'incidents' | 'none' | 'number' | 'status' | 'asset' | 'site' | 'opened' | 'open'
  | 'back' | 'clocks' | 'events' | 'quotes' | 'quoteTotal' | 'validUntil' | 'approve' | 'reject' | 'note' | 'rejectReason'
  | 'keys' | 'keyName' | 'createKey' | 'secretOnce' | 'copy' | 'copied' | 'done' | 'revoke' | 'revokeConfirm' | 'revoked'
  | 'active' | 'created' | 'noKeys' | 'loading' | 'live' | 'cancel';

export const messages: Messages<Key> = {
  en: {
    title: 'Service portal', tabIncidents: 'Incidents', tabHealth: 'Device health', tabKeys: 'API keys', check: 'Check coverage before filing',
    serial: 'Serial number', checkButton: 'Check coverage', covered: 'Covered', notCovered: 'Not covered',
    warrantyUntil: 'Warranty until {date}', contract: 'Contract {number}, {tier}', entitlements: 'Entitlements: {list}',
    needsQuote: 'The work needs a quote you approve before it starts.', file: 'File an incident for {serial}',
    priority: 'Priority', category: 'Category', symptoms: 'What is wrong', contactName: 'Contact name',
    contactEmail: 'Contact email', contactPhone: 'Contact phone (optional)', fileButton: 'File incident',
    filed: 'Incident #{number} filed.', incidents: 'Our incidents', none: 'No incidents yet.', number: 'Incident',
    status: 'Status', asset: 'Asset', site: 'Site', opened: 'Filed', open: 'Open #{number}', back: 'Back to the list',
    clocks: 'Service level clocks', events: 'What happened', quotes: 'Quotes', quoteTotal: 'Total {amount} {currency}',
    validUntil: 'valid until {date}', approve: 'Approve quote', reject: 'Reject quote', note: 'Comment (optional)',
    rejectReason: 'Why do you reject it?', keys: 'API keys for your monitoring tools', keyName: 'Name of the new key',
    createKey: 'Create key', secretOnce: 'This is the only time the key is shown. Copy it now and keep it safe.',
    copy: 'Copy', copied: 'Copied.', done: 'I have kept it', revoke: 'Revoke {name}',
    revokeConfirm: 'Revoke {name} for good? Tools using it stop working.', revoked: 'revoked {date}', active: 'active',
    created: 'created {date}', noKeys: 'No API keys.', loading: 'Loading…', live: 'Live', cancel: 'Cancel',
  },
  zh: {
    title: '服务门户', tabIncidents: '事件', tabHealth: '设备健康', tabKeys: 'API 密钥', check: '报修前查询保修',
    serial: '序列号', checkButton: '查询保修', covered: '在保', notCovered: '不在保',
    warrantyUntil: '保修至 {date}', contract: '合同 {number}，{tier}', entitlements: '权益：{list}',
    needsQuote: '此项工作需先经您批准报价。', file: '为 {serial} 报修',
    priority: '优先级', category: '类别', symptoms: '故障描述', contactName: '联系人',
    contactEmail: '联系邮箱', contactPhone: '联系电话（可选）', fileButton: '提交报修',
    filed: '事件 #{number} 已提交。', incidents: '我们的事件', none: '还没有事件。', number: '事件',
    status: '状态', asset: '设备', site: '地点', opened: '报修时间', open: '查看 #{number}', back: '返回列表',
    clocks: '服务时限', events: '处理记录', quotes: '报价', quoteTotal: '合计 {amount} {currency}',
    validUntil: '有效期至 {date}', approve: '批准报价', reject: '拒绝报价', note: '备注（可选）',
    rejectReason: '拒绝原因？', keys: '监控工具使用的 API 密钥', keyName: '新密钥名称',
    createKey: '创建密钥', secretOnce: '密钥只显示这一次，请立即复制并妥善保存。',
    copy: '复制', copied: '已复制。', done: '我已保存', revoke: '吊销 {name}',
    revokeConfirm: '确定永久吊销 {name}？使用它的工具将无法访问。', revoked: '已于 {date} 吊销', active: '有效',
    created: '创建于 {date}', noKeys: '没有 API 密钥。', loading: '加载中…', live: '实时', cancel: '取消',
  },
};
